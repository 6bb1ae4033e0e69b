"""``skl2sql dbt add``: write a fitted model into a dbt project.

For a model ``churn`` scoring ``ref('stg_customers')`` the project gets:

- ``macros/skl2sql/churn/score_churn__v<version>.sql``: the model as a macro that dispatches on
  the dbt target: one ``<target type>__score_churn__v<version>(relation)`` per compiled dialect
  and a ``default__`` that stops with a clear error on any other target. In data mode
  (``as_data``) it calls the package's generic ``skl2sql.score_linear_from_weights`` or
  ``skl2sql.score_trees_from_nodes`` instead.
  Old versions' files stay, so a project can pin any registered version.
- ``macros/skl2sql/churn/score_churn.sql`` / ``score_churn_version.sql``: ``score_churn(relation,
  version=none)`` picks the version: the argument, else ``var('skl2sql_versions')['churn']``,
  else the version added last.
- ``models/skl2sql/churn/predict_churn.sql`` (scores the input; a view unless configured),
  ``predict_churn_log.sql`` (incremental: appends rows not yet scored by the active version, with
  ``model_version``, ``batch`` and ``scored_at``) and ``_skl2sql_churn.yml`` (descriptions, tests).
- ``seeds/skl2sql/skl2sql_registry.csv``: one row per model version, read by the model
  ``models/skl2sql/skl2sql_models.sql`` (written here, not shipped in the package, so that a
  project with no model added yet builds); ``skl2sql_weights_churn.csv`` / ``skl2sql_trees_churn.csv`` in data mode; ``_skl2sql_seeds.yml``.

The compiled SELECT is produced by the compiler over a placeholder table; sqlglot then replaces
that table node by a marker that becomes ``{{ relation }}``: identifiers are never pasted into SQL.
Every file is a pure function of its inputs (sorted, no timestamps) except the registry's
``created_at``, which is the time a version was first added and is kept on re-adds.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlglot import exp

from ..api import CompiledModel
from ..api import compile as compile_model
from ..dialects import dbt_target_type, dialect_for_dbt_target, resolve_dialect
from ..errors import SchemaError, Skl2SqlError
from ..ir import Cast, Column, walk
from ..lowering import render
from ..lowering.select import render_around_table
from ..sql import build_select
from ..util.gc_pause import paused_gc
from .data_mode import WEIGHT_COLUMNS, LinearWeights, model_as_data
from .registry import (
    REGISTRY_COLUMNS,
    REGISTRY_DERIVED,
    REGISTRY_SEED,
    RegistryEntry,
    dumps,
    read_registry,
    registry_schema,
    upsert,
    write_registry,
)
from .templating import render_template
from .text import HEADER_SQL, HEADER_YAML, csv_text, jinja_literal, jinja_sql_body, yaml_dump
from .tree_data import TREE_COLUMNS, TreeNodes

__all__ = [
    "add_model",
    "AddResult",
    "model_version",
    "dbt_target_type",
    "relation_macro_sql",
    "weights_seed_name",
    "trees_seed_name",
    "DEFAULT_DIALECTS",
    "LOG_COLUMNS",
]

#: Dialects compiled when neither ``dialects`` nor the project's profiles.yml says otherwise.
DEFAULT_DIALECTS: tuple[str, ...] = ("duckdb",)

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
_PLACEHOLDER = "skl2sql_relation_placeholder_0f3a"


@dataclass
class AddResult:
    """What :func:`add_model` did: the version, whether it is new, the files it wrote."""

    name: str
    version: str
    new_version: bool
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def weights_seed_name(name: str) -> str:
    """Seed of a linear model's weights (model as data)."""
    return f"skl2sql_weights_{name}"


def trees_seed_name(name: str) -> str:
    """Seed of a tree model's nodes (model as data)."""
    return f"skl2sql_trees_{name}"


def _seed_name(name: str, spec: LinearWeights | TreeNodes) -> str:
    return trees_seed_name(name) if isinstance(spec, TreeNodes) else weights_seed_name(name)


def _profile_target_types(project: Path) -> list[str]:
    """Adapter types named in the project's own profiles.yml (``type: duckdb`` lines)."""
    path = project / "profiles.yml"
    if not path.is_file():
        return []
    found = re.findall(r"^\s*type:\s*[\"']?([A-Za-z_]+)", path.read_text(encoding="utf-8"), flags=re.M)
    return sorted(dict.fromkeys(t.lower() for t in found))


def relation_macro_sql(compiled_sql_tree: exp.Expression, dialect: str) -> str:
    """Render a SELECT over the placeholder table as macro text reading ``{{ relation }}``: the
    text around each read of the table (:func:`~skl2sql.lowering.select.render_around_table`),
    joined by the Jinja expression."""
    pieces = render_around_table(compiled_sql_tree, _PLACEHOLDER, resolve_dialect(dialect))
    return jinja_sql_body(pieces, "{{ relation }}")


def model_version(compiled: CompiledModel) -> str:
    """Content hash of the compiled model: DuckDB SQL over a fixed placeholder table (so the same
    IR, keep columns and outputs give the same version on every machine)."""
    policy = resolve_dialect("duckdb").unbatched()  # the layout is not the model
    text = render(build_select(compiled.program, _PLACEHOLDER, compiled.keep, policy), policy)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _library_versions() -> dict[str, str]:
    out: dict[str, str] = {}
    for dist in ("scikit-learn", "lightgbm", "xgboost", "xgboost-cpu", "numpy", "sqlglot", "skl2sql"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def _load_training_data(training_data: Any) -> Any:
    if training_data is None or not isinstance(training_data, (str, Path)):
        return training_data
    import pandas as pd

    path = Path(training_data)
    if not path.is_file():
        raise SchemaError(f"{path}: no such training data file")
    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    if path.suffix.lower() in (".csv", ".txt"):
        return pd.read_csv(path)
    raise SchemaError(f"{path}: training data must be .parquet or .csv")


def _feature_types(compiled: CompiledModel, data: Any) -> list[dict[str, str]]:
    """Each input feature with a type: from the training data's dtypes when given, else
    ``numeric`` for features the model casts to a number, ``any`` otherwise."""
    program = compiled.program
    exprs = [e for _, e in program.outputs] + [e for stage in program.stages for _, e in stage.columns]
    numeric = {
        node.item.name
        for e in exprs
        for node in walk(e)
        if isinstance(node, Cast) and isinstance(node.item, Column) and node.to in ("double", "number")
    }
    dtypes: dict[str, str] = {}
    if data is not None and hasattr(data, "dtypes"):
        dtypes = {str(k): str(v) for k, v in data.dtypes.items()}
    return [
        {"name": f, "type": dtypes.get(f) or ("numeric" if f in numeric else "any")} for f in compiled.features
    ]


def _task(compiled: CompiledModel) -> str:
    if compiled.kind == "multioutput":
        return "multioutput"
    if compiled.classes or any(o.startswith("decision_function") for o in compiled.outputs):
        return "classifier"
    if compiled.outputs == ["prediction"] or compiled.outputs[:1] == ["prediction"]:
        return "regressor"
    return "transformer"


def _write(path: Path, text: str, written: list[Path]) -> None:
    """Write only when the content differs, so re-adding a model leaves files untouched."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    written.append(path)


def _input_jinja(input_relation: str) -> str:
    """``ref("x")`` or, for ``source:src.table``, ``source("src", "table")``."""
    if input_relation.startswith("source:"):
        src, _, table = input_relation[len("source:") :].partition(".")
        if not src or not table:
            raise SchemaError(f"--input {input_relation!r}: write sources as source:SOURCE.TABLE")
        return f"source({jinja_literal(src)}, {jinja_literal(table)})"
    if not input_relation or input_relation.startswith("source"):
        raise SchemaError(f"--input {input_relation!r}: give a model name, or source:SOURCE.TABLE")
    return f"ref({jinja_literal(input_relation)})"


def _version_macro_sql(name: str, version: str, compiled: dict[str, tuple[str, str]]) -> str:
    """One macro per dbt target type. ``compiled[target]``: the SQL laid out for scoring a whole
    table and for a view queried with filters (``batch=false``); written once where they agree."""
    macro = f"score_{name}__v{version}"
    return render_template(
        "score_version.sql",
        header=HEADER_SQL,
        name=name,
        version=version,
        macro=macro,
        macro_literal=jinja_literal(macro),
        name_literal=jinja_literal(name),
        version_literal=jinja_literal(version),
        targets_literal=jinja_literal(sorted(compiled)),
        compiled=[(t, *compiled[t]) for t in sorted(compiled)],
    )


def _data_macro_sql(name: str, version: str, spec: LinearWeights | TreeNodes, keep: Sequence[str]) -> str:
    seed = _seed_name(name, spec)
    args = [
        "relation",
        f"ref({jinja_literal(seed)})",
        jinja_literal(version),
        f"features={jinja_literal(list(spec.features))}",
        f"keep={jinja_literal(list(keep))}",
        f"task={jinja_literal(spec.task)}",
        f"classes={jinja_literal([c.item() if hasattr(c, 'item') else c for c in spec.classes])}",
        f"outputs={jinja_literal(list(spec.outputs))}",
    ]
    if isinstance(spec, TreeNodes):
        generic = "score_trees_from_nodes"
        args.append(f"allow_missing={jinja_literal(spec.allow_missing)}")
        if not spec.float32_range:
            args.append("float32_range=false")
    else:
        generic = "score_linear_from_weights"
    return render_template(
        "score_version_data.sql", header=HEADER_SQL, name=name, version=version, seed=seed,
        macro=f"score_{name}__v{version}", generic=generic, args=", ".join(args),
    )


def _switch_macro_sql(name: str, versions: Sequence[str]) -> str:
    return render_template(
        "score_switch.sql", header=HEADER_SQL, name=name,
        versions=[(v, jinja_literal(v)) for v in versions], version_list=", ".join(versions),
    )


def _version_default_sql(name: str, default: str) -> str:
    return render_template(
        "score_version_default.sql", header=HEADER_SQL, name=name,
        name_literal=jinja_literal(name), default_literal=jinja_literal(default),
    )


def _depends_on(param_seeds: Sequence[str]) -> str:
    """dbt infers no dependency on a seed referenced only inside a macro: declare it."""
    return render_template("depends_on.sql", seeds=[jinja_literal(seed) for seed in param_seeds])


def _predict_sql(name: str, input_jinja: str, param_seeds: Sequence[str]) -> str:
    return render_template(
        "predict.sql", header=HEADER_SQL, name=name, input=input_jinja, depends_on=_depends_on(param_seeds)
    )


#: Columns every prediction log adds after the keys and outputs (its contract; docs/dbt.md). A key
#: or batch column of one of these names is refused by :func:`add_model` (``batch`` may be the
#: batch column: the log's ``batch`` is then its text).
LOG_COLUMNS: tuple[str, ...] = ("model_version", "batch", "scored_at", "input_hash")


def _log_sql(name: str, input_jinja: str, keep: Sequence[str], batch_column: str | None, param_seeds: Sequence[str],
             compiled: CompiledModel) -> str:
    labels = [o for o in compiled.outputs if o in compiled.labels]
    numbers = [o for o in compiled.outputs if o not in compiled.labels]
    return render_template(
        "predict_log.sql",
        header=HEADER_SQL,
        name=name,
        name_literal=jinja_literal(name),
        key_text=", ".join(keep),
        input=input_jinja,
        keys=jinja_literal(list(keep)),
        unique_key=jinja_literal([*keep, "model_version"]),
        batch_column=jinja_literal(batch_column),
        features=jinja_literal(list(compiled.features)),
        labels=jinja_literal(labels),
        numbers=jinja_literal(numbers),
        depends_on=_depends_on(param_seeds),
    )


def _check_log_columns(keep: Sequence[str], batch_column: str | None) -> None:
    """Key and batch columns must not take the name of a column the log adds (docs/dbt.md)."""
    for k in keep:
        if k in LOG_COLUMNS:
            raise SchemaError(
                f"key column {k!r} has the name of a column the prediction log adds ({', '.join(LOG_COLUMNS)}); "
                "rename it in the input model"
            )
    if batch_column in LOG_COLUMNS and batch_column != "batch":
        raise SchemaError(
            f"batch column {batch_column!r} has the name of a column the prediction log adds "
            f"({', '.join(LOG_COLUMNS)}); rename it in the input model"
        )


def _plain(value: Any) -> Any:
    """A NumPy scalar as the Python value (``np.int64(1)`` -> ``1``); anything else unchanged."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _column_tests(compiled: CompiledModel, keep: Sequence[str]) -> list[dict[str, Any]]:
    cols: list[dict[str, Any]] = []
    for k in keep:
        cols.append({"name": k, "description": "key passed through from the input", "quote": True,
                     "data_tests": ["not_null"]})
    for o in compiled.outputs:
        col: dict[str, Any] = {"name": o, "quote": True}
        if o == "prediction":
            col["description"] = "the model's prediction (predict)"
        elif o.startswith("probability_"):
            label = _plain(compiled.classes.get(o))
            col["description"] = f"probability of class {label!r} (predict_proba)"
            col["data_tests"] = ["skl2sql.probability_between_0_and_1"]
        else:
            col["description"] = "model output"
        cols.append(col)
    return cols


def _models_yaml(name: str, compiled: CompiledModel, keep: Sequence[str], input_relation: str, input_jinja: str) -> str:
    predict_cols = _column_tests(compiled, keep)
    log_cols = [
        {**c, "description": c["description"] + " (as text: the log's type for labels)"}
        if c["name"] in compiled.labels else c
        for c in predict_cols
    ]
    log_cols += [
        {"name": "model_version", "description": "version of the model that scored the row",
         "data_tests": ["not_null"]},
        {"name": "batch", "description": "scoring batch: the batch column's value as text, or the dbt invocation id",
         "data_tests": ["not_null"]},
        {"name": "scored_at", "description": "when the row was scored", "data_tests": ["not_null"]},
        {"name": "input_hash", "description": "hash of the feature values the row was scored with "
         "(skl2sql.input_hash; the test skl2sql.log_inputs_unchanged compares it with the input)"},
    ]
    changed = {"skl2sql.log_inputs_unchanged": {
        "arguments": {"input": input_jinja, "keys": list(keep), "features": list(compiled.features)},
        "config": {"severity": "warn"},
    }}
    unique = {"skl2sql.unique_combination": {"arguments": {"columns": list(keep)}}}
    unique_log = {"skl2sql.unique_combination": {"arguments": {"columns": [*keep, "model_version"]}}}
    doc = {
        "version": 2,
        "models": [
            {
                "name": f"predict_{name}",
                "description": f"Rows of {input_relation} scored by model {name} ({compiled.estimator_name}), "
                f"version from score_{name}_version().",
                "data_tests": [unique],
                "columns": predict_cols,
            },
            {
                "name": f"predict_{name}_log",
                "description": f"Append-only scoring log of model {name}: each run adds the rows of "
                f"{input_relation} not yet scored by the active version, once per ({', '.join(keep)}, "
                "model_version). Survives --full-refresh (docs/dbt.md).",
                "data_tests": [unique_log, changed],
                "columns": log_cols,
            },
        ],
    }
    return HEADER_YAML + yaml_dump(doc)


_WEIGHT_TYPES = {"model_version": "varchar", "output": "integer", "output_name": "varchar", "term": "integer",
                 "feature": "varchar", "weight": "float8"}
_TREE_TYPES = {"model_version": "varchar", "tree": "integer", "node": "integer", "depth": "integer",
               "feature": "varchar", "threshold": "float8", "missing_left": "integer", "left_child": "integer",
               "right_child": "integer", "output": "integer", "value": "float8"}


def _registry_model_sql() -> str:
    return render_template("registry_model.sql", header=HEADER_SQL, seed_literal=jinja_literal(REGISTRY_SEED),
                           columns_literal=jinja_literal(list(REGISTRY_COLUMNS)))


def _registry_model_yaml() -> str:
    columns: list[dict[str, Any]] = []
    for col in registry_schema():
        entry: dict[str, Any] = {"name": col["name"], "description": col["description"]}
        if col["not_null"]:
            entry["data_tests"] = ["not_null"]
        if col["accepted"]:
            entry["data_tests"] = [{"accepted_values": {"arguments": {"values": list(col["accepted"])}}}]
        columns.append(entry)
    columns += [{"name": name, "description": text} for name, text in REGISTRY_DERIVED]
    doc = {
        "version": 2,
        "models": [{
            "name": "skl2sql_models",
            "description": "Registry of the models added with `skl2sql dbt add`: one row per (model_name, "
            "model_version), from the seed skl2sql_registry. JSON columns are text.",
            "data_tests": [{"skl2sql.unique_combination": {"arguments": {"columns": ["model_name", "model_version"]}}}],
            "columns": columns,
        }],
    }
    return HEADER_YAML + yaml_dump(doc)


def _seeds_yaml(param_seeds: Sequence[str]) -> str:
    registry_types = {c["name"]: c["sql_type"] for c in registry_schema()}
    seeds: list[dict[str, Any]] = [
        {
            "name": REGISTRY_SEED,
            "description": "skl2sql model registry: one row per model version (written by skl2sql dbt add).",
            "config": {"column_types": registry_types},
            "columns": [{"name": c["name"], "data_tests": ["not_null"]} for c in registry_schema() if c["not_null"]],
        }
    ]
    for s in param_seeds:
        if s.startswith("skl2sql_trees_"):
            seeds.append({
                "name": s,
                "description": "tree model nodes (skl2sql model as data): split rows (feature, threshold, "
                "missing_left, children) and leaf rows (output, value); tree -1 holds each score's start.",
                "config": {"column_types": dict(_TREE_TYPES)},
                "columns": [{"name": "model_version", "data_tests": ["not_null"]},
                            {"name": "tree", "data_tests": ["not_null"]},
                            {"name": "node", "data_tests": ["not_null"]}],
            })
        else:
            seeds.append({
                "name": s,
                "description": "linear model weights (skl2sql model as data): feature NULL is the intercept.",
                "config": {"column_types": dict(_WEIGHT_TYPES)},
                "columns": [{"name": "model_version", "data_tests": ["not_null"]},
                            {"name": "weight", "data_tests": ["not_null"]}],
            })
    return HEADER_YAML + yaml_dump({"version": 2, "seeds": seeds})


def _sort_key(columns: Sequence[str]) -> Any:
    """Rows ordered by version, then by the integer columns that place them (CSV text or ints)."""
    places = ("tree", "node", "output") if columns is TREE_COLUMNS else ("output", "term")
    idx = [columns.index(c) for c in places]

    def key(r: Sequence[Any]) -> tuple[Any, ...]:
        return (str(r[0]), *(-1 if r[i] is None else int(r[i]) for i in idx))

    return key


def _write_params(project: Path, name: str, version: str, spec: LinearWeights | TreeNodes, written: list[Path]) -> None:
    """Add ``version``'s rows to the model's parameter seed, keeping other versions' rows."""
    import csv
    import io

    columns = TREE_COLUMNS if isinstance(spec, TreeNodes) else WEIGHT_COLUMNS
    path = project / "seeds" / "skl2sql" / f"{_seed_name(name, spec)}.csv"
    rows: list[tuple[Any, ...]] = []
    if path.is_file():
        for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))):
            if row["model_version"] != version:
                rows.append(tuple(row[c] or None for c in columns))
    rows += spec.rows(version)
    rows.sort(key=_sort_key(columns))
    _write(path, csv_text(columns, rows), written)


def _call_monitoring(project: Path, name: str, version: str, training_data: Any, compiled: CompiledModel,
                     estimator: Any, notes: list[str], input_relation: str, keep: Sequence[str],
                     batch_column: str | None) -> None:
    """Hand the training data to ``skl2sql.monitoring.write_baseline`` when that module exists
    (keyword extras -- input relation, keys, batch column -- only if its signature takes them)."""
    try:
        monitoring = importlib.import_module("skl2sql.monitoring")
    except ImportError:
        monitoring = None
    write_baseline = getattr(monitoring, "write_baseline", None)
    if write_baseline is None:
        if training_data is not None:
            notes.append("training data given, but skl2sql.monitoring is not installed: no baseline written")
        return
    if training_data is None:
        return
    import inspect

    extra = {"input_relation": input_relation, "keep": list(keep), "batch_column": batch_column}
    params = inspect.signature(write_baseline).parameters
    accepted = {k: v for k, v in extra.items() if k in params}
    write_baseline(project, name, version, training_data, compiled, estimator, **accepted)


@paused_gc()
def add_model(
    estimator: Any,
    *,
    name: str,
    project: str | Path,
    input: str,  # noqa: A002 - mirrors the --input option
    keep: Sequence[str],
    dialects: Sequence[str] | None = None,
    features: Sequence[str] | None = None,
    training_data: Any = None,
    as_data: bool = False,
    batch_column: str | None = None,
    metrics: Mapping[str, float] | None = None,
    now: datetime | None = None,
) -> AddResult:
    """Write ``estimator`` into the dbt project at ``project`` as model ``name``.

    ``input``: the model (``ref``) to score, or ``source:SOURCE.TABLE``. ``keep``: key columns
    (at least one; with the model version they key the scoring log). ``dialects``: dbt target
    types (or sqlglot names) to compile for; default: the adapter types in the project's
    profiles.yml, else DuckDB. ``training_data``: DataFrame or .parquet/.csv path, used for the
    feature types and handed to ``skl2sql.monitoring.write_baseline`` when that module exists.
    ``as_data``: store the parameters as seed rows (linear and tree models; see
    :mod:`skl2sql.dbt.data_mode` and :mod:`skl2sql.dbt.tree_data`). ``batch_column``: input column that identifies a scoring batch
    in the log (default: the dbt invocation id). ``metrics``: training metrics for the registry.
    ``now``: the creation time recorded for a new version (default: the current UTC time).
    """
    project = Path(project)
    if not (project / "dbt_project.yml").is_file():
        raise SchemaError(f"{project}: not a dbt project (no dbt_project.yml)")
    if not _NAME.match(name):
        raise SchemaError(
            f"model name {name!r}: use lowercase letters, digits and underscores, starting with a letter (max 41)"
        )
    keep_t = [str(k) for k in keep]
    if not keep_t:
        raise SchemaError("give at least one --keep column: the key of each scored row")
    _check_log_columns(keep_t, batch_column)
    targets = [dbt_target_type(d) for d in (dialects or _profile_target_types(project) or DEFAULT_DIALECTS)]
    targets = sorted(dict.fromkeys(targets))
    compile_keep = [*keep_t, batch_column] if batch_column and batch_column not in keep_t else keep_t
    data = _load_training_data(training_data)

    per_target: dict[str, tuple[str, str]] = {}
    first: CompiledModel | None = None
    for target in targets:
        dialect = dialect_for_dbt_target(target)
        compiled = compile_model(estimator, table=_PLACEHOLDER, dialect=dialect, keep=compile_keep, features=features)
        first = first or compiled
        batch_sql = relation_macro_sql(build_select(compiled.program, _PLACEHOLDER, compiled.keep, compiled.policy), dialect)
        view_policy = compiled.policy.unbatched()
        view_sql = (  # the same SQL unless the dialect has pipeline breaks: built once then
            batch_sql if view_policy == compiled.policy
            else relation_macro_sql(build_select(compiled.program, _PLACEHOLDER, compiled.keep, view_policy), dialect)
        )
        per_target[target] = (batch_sql, view_sql)
    assert first is not None
    version = model_version(first)
    spec = model_as_data(estimator, features) if as_data else None
    if spec is not None and list(spec.outputs) != first.outputs:
        raise Skl2SqlError(f"data-mode outputs {list(spec.outputs)} differ from the compiled {first.outputs}")

    entries = read_registry(project)
    new_version = not any(e.model_name == name and e.model_version == version for e in entries)
    created = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S")
    entry = RegistryEntry(
        model_name=name,
        model_version=version,
        is_default=True,
        mode="data" if as_data else "sql",
        estimator=first.estimator_name,
        task=_task(first),
        input_relation=input,
        keep=dumps(keep_t),
        batch_column=batch_column,
        features=dumps(_feature_types(first, data)),
        outputs=dumps(first.outputs),
        classes=dumps({k: _plain(v) for k, v in first.classes.items()}),
        dialects=dumps(targets),
        library_versions=dumps(_library_versions()),
        training_metrics=dumps({k: float(v) for k, v in metrics.items()}) if metrics else None,
        created_at=created,
    )
    entries = upsert(entries, entry)
    result = AddResult(name=name, version=version, new_version=new_version)
    written = result.files
    written.append(write_registry(project, entries))

    macro_dir = project / "macros" / "skl2sql" / name
    model_dir = project / "models" / "skl2sql" / name
    if spec is not None:
        _write_params(project, name, version, spec, written)
        _write(macro_dir / f"score_{name}__v{version}.sql", _data_macro_sql(name, version, spec, compile_keep), written)
    else:
        _write(macro_dir / f"score_{name}__v{version}.sql", _version_macro_sql(name, version, per_target), written)
    versions = [e.model_version for e in sorted(entries, key=lambda e: (e.created_at, e.model_version))
                if e.model_name == name]
    _write(macro_dir / f"score_{name}.sql", _switch_macro_sql(name, versions), written)
    _write(macro_dir / f"score_{name}_version.sql", _version_default_sql(name, version), written)

    seeds_dir = project / "seeds" / "skl2sql"
    all_seeds = sorted(p.stem for p in [*seeds_dir.glob("skl2sql_weights_*.csv"), *seeds_dir.glob("skl2sql_trees_*.csv")])
    own_seeds = [s for s in (weights_seed_name(name), trees_seed_name(name)) if s in all_seeds]
    input_jinja = _input_jinja(input)
    _write(model_dir / f"predict_{name}.sql", _predict_sql(name, input_jinja, own_seeds), written)
    _write(model_dir / f"predict_{name}_log.sql", _log_sql(name, input_jinja, keep_t, batch_column, own_seeds, first),
           written)
    _write(model_dir / f"_skl2sql_{name}.yml", _models_yaml(name, first, keep_t, input, input_jinja), written)
    _write(seeds_dir / "_skl2sql_seeds.yml", _seeds_yaml(all_seeds), written)
    _write(project / "models" / "skl2sql" / "skl2sql_models.sql", _registry_model_sql(), written)
    _write(project / "models" / "skl2sql" / "_skl2sql_models.yml", _registry_model_yaml(), written)

    _call_monitoring(project, name, version, data, first, estimator, result.notes, input, keep_t, batch_column)
    return result
