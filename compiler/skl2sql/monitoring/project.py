"""Write a model's monitoring files into a dbt project: the baseline seed (CSV + properties) and
the small config macro through which the package's monitoring models find the model.

Why a macro per model: the package's monitoring models are one table for all models, so they must
enumerate the monitored models *at parse time* (dbt records ``ref()`` calls while parsing; a
``ref`` discovered only at run time fails). Root-project macros are visible to package models at
parse time, so each model gets ``skl2sql_monitor_config__<name>()`` returning a dict literal, and
``skl2sql.monitored_models()`` collects every macro with that prefix. Adding a model adds a file;
removing its folder removes it from monitoring; nothing shared is rewritten.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..dbt.templating import render_template
from ..dbt.text import HEADER_SQL, HEADER_YAML, jinja_literal
from ..errors import SchemaError
from .baseline import BASELINE_COLUMNS, Baseline, profile_training_data

__all__ = [
    "write_baseline",
    "baseline_csv",
    "monitor_config",
    "config_macro",
    "CONFIG_MACRO_PREFIX",
    "baseline_seed_name",
]

CONFIG_MACRO_PREFIX = "skl2sql_monitor_config__"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def baseline_seed_name(name: str) -> str:
    return f"skl2sql_baseline_{name}"


def _jinja(value: Any) -> str:
    """A Python value as a Jinja literal, refused when it holds Jinja delimiters (a monitoring
    config is one Jinja expression; a column name with ``{{`` in it is not worth the risk)."""
    text = jinja_literal(value)
    if any(t in text for t in ("{{", "{%", "{#", "}}", "%}", "#}")):
        raise SchemaError(f"{value!r} contains Jinja delimiters and cannot be written into a dbt macro")
    return text


def _fmt(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    return v


def baseline_csv(name: str, version: str, baseline: Baseline, existing: str | None = None) -> str:
    """The seed's CSV text: rows of other versions already in ``existing`` are kept (a batch
    scored by a pinned older version is compared with that version's baseline), this version's
    rows are replaced."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(BASELINE_COLUMNS)
    if existing:
        reader = csv.reader(io.StringIO(existing))
        header = next(reader, None)
        if header is not None and tuple(header) == BASELINE_COLUMNS:
            for row in reader:
                if row and row[1] != version:
                    w.writerow(row)
    for r in baseline.rows:
        w.writerow(
            [
                name,
                version,
                r.role,
                r.feature,
                r.kind,
                r.stat,
                _fmt(r.bin),
                _fmt(r.lower_edge),
                _fmt(r.upper_edge),
                _fmt(r.category),
                _fmt(r.value),
                _fmt(r.center),
            ]
        )
    return buf.getvalue()


def _seed_properties(name: str) -> str:
    seed = baseline_seed_name(name)
    types = {
        "model_name": "varchar",
        "model_version": "varchar",
        "role": "varchar",
        "feature": "varchar",
        "kind": "varchar",
        "stat": "varchar",
        "bin": "integer",
        "lower_edge": "float8",
        "upper_edge": "float8",
        "category": "varchar",
        "value": "float8",
        "center": "float8",
    }
    lines = [
        HEADER_YAML.rstrip("\n"),
        "version: 2",
        "seeds:",
        f"  - name: {seed}",
        f"    description: \"Training baseline of model {name} (skl2sql monitoring): per feature, prediction and label",
        "      the row count, null share, min/max/mean/std, quantile bins with reference shares, category shares.\"",
        "    config:",
        "      column_types:",
    ]
    lines += [f"        {k}: {v}" for k, v in types.items()]
    return "\n".join(lines) + "\n"


def monitor_config(
    name: str,
    version: str,
    baseline: Baseline,
    *,
    input_relation: str | None,
    keep: Sequence[str],
    batch_column: str | None,
    labels: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The dict the monitoring SQL reads for one model (written as the config macro)."""
    return {
        "name": name,
        "version": version,
        "task": baseline.task,
        "input": input_relation,
        "keep": list(keep),
        "batch_column": batch_column,
        "log": f"predict_{name}_log",
        "baseline": baseline_seed_name(name),
        "numeric": baseline.numeric,
        "categorical": baseline.categorical,
        "prediction_numeric": baseline.prediction_numeric,
        "prediction_categorical": baseline.prediction_categorical,
        "probability_columns": baseline.classes,
        "positive_class": baseline.positive_class,
        "label_column": baseline.label_column,
        "labels": dict(labels) if labels else None,
    }


def config_macro(config: Mapping[str, Any]) -> str:
    name = str(config["name"])
    return render_template(
        "monitor_config.sql", header=HEADER_SQL, name=name, macro=f"{CONFIG_MACRO_PREFIX}{name}", config=_jinja(dict(config))
    )


def _registry_row(project: Path, name: str, version: str) -> dict[str, str]:
    """This version's row of the registry seed ``skl2sql dbt add`` writes before calling
    :func:`write_baseline` (input relation, keys, batch column), or {} when there is none."""
    path = project / "seeds" / "skl2sql" / "skl2sql_registry.csv"
    if not path.is_file():
        return {}
    for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))):
        if row.get("model_name") == name and row.get("model_version") == version:
            return dict(row)
    return {}


def write_baseline(
    project_dir: str | Path,
    name: str,
    version: str,
    training_data: Any,
    compiled: Any,
    estimator: Any,
    *,
    bins: int = 10,
    label_column: str | None = None,
    input_relation: str | None = None,
    keep: Sequence[str] | None = None,
    batch_column: str | None = None,
    labels: Mapping[str, Any] | None = None,
    categorical: Sequence[str] = (),
) -> list[Path]:
    """Profile ``training_data`` (DataFrame, parquet or CSV path) and write, into the dbt project:

    - ``seeds/skl2sql/<name>/skl2sql_baseline_<name>.csv`` and its ``.yml`` (column types), and
    - ``macros/skl2sql/<name>/skl2sql_monitor_config__<name>.sql`` (the model's monitoring config).

    ``input_relation``: the dbt model the model scores, or ``source:SRC.TABLE`` (its features are
    read from there); ``keep``: key columns; ``batch_column``: the column naming a batch (default:
    each scoring run is a batch). These three default to the model's row in the registry seed
    ``seeds/skl2sql/skl2sql_registry.csv`` that ``skl2sql dbt add`` writes first; ``labels``: optional
    ``{"relation": ..., "label_column": ..., "key": [...]}`` (also settable later through the
    ``skl2sql_labels`` var). Returns the paths written.
    """
    if not _NAME.match(name):
        raise SchemaError(f"model name {name!r} must be letters, digits and underscores")
    project = Path(project_dir)
    registered = _registry_row(project, name, version)
    if input_relation is None:
        input_relation = registered.get("input_relation") or None
    if keep is None:
        keep = json.loads(registered["keep"]) if registered.get("keep") else list(getattr(compiled, "keep", ()))
    if batch_column is None:
        batch_column = registered.get("batch_column") or None
    keep = [k for k in keep if k != batch_column]
    baseline = profile_training_data(
        training_data, compiled, estimator, bins=bins, label_column=label_column, categorical=categorical,
        ignore=[*keep, *([batch_column] if batch_column else [])],
    )
    config = monitor_config(
        name,
        version,
        baseline,
        input_relation=input_relation,
        keep=keep,
        batch_column=batch_column,
        labels=labels,
    )
    seed_dir = project / "seeds" / "skl2sql" / name
    macro_dir = project / "macros" / "skl2sql" / name
    seed_dir.mkdir(parents=True, exist_ok=True)
    macro_dir.mkdir(parents=True, exist_ok=True)
    csv_path = seed_dir / f"{baseline_seed_name(name)}.csv"
    existing = csv_path.read_text(encoding="utf-8") if csv_path.exists() else None
    csv_path.write_text(baseline_csv(name, version, baseline, existing), encoding="utf-8")
    yml_path = seed_dir / f"{baseline_seed_name(name)}.yml"
    yml_path.write_text(_seed_properties(name), encoding="utf-8")
    macro_path = macro_dir / f"{CONFIG_MACRO_PREFIX}{name}.sql"
    macro_path.write_text(config_macro(config), encoding="utf-8")
    return [csv_path, yml_path, macro_path]
