"""The public entry point: :func:`compile` a fitted estimator into SQL.

Output contract (stable; the dbt package and users build on it): one SELECT over the input table
whose columns are the ``keep`` columns, then ``prediction``, then for classifiers one
``probability_<class>`` column per class in ``classes_`` order (or ``decision_function`` /
``decision_function_<class>`` for classifiers without ``predict_proba``; Gaussian mixtures: one
``probability_<k>`` per component), then any extra outputs.
Transformers (preprocessing pipelines) output one column per output feature.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from . import assemblers
from .assemblers.context import Context
from .assemblers.interface import Feature, Prediction, class_suffixes
from .assemblers.refusals import guard_finite, guard_refusals
from .dialects import DialectPolicy, resolve_dialect
from .errors import ExpressionTooLargeError, SchemaError
from .ir import DOUBLE_MAX, Column, Expr
from .ir.evaluate import evaluate_program
from .lowering import render
from .plan import inlined_size
from .plan.long_sums import split_long_sums
from .program import Program, Stage
from .sql import build_expressions, build_select
from .util.gc_pause import paused_gc

__all__ = ["compile", "CompiledModel", "program_for", "resolve_features", "MAX_EXPRESSION_NODES"]

#: Default cap of :meth:`CompiledModel.expressions`, in IR nodes after inlining (about 20 MB of
#: SQL; a 3-class GradientBoosting of 50 trees inlines to 0.6 M nodes, 14 MB, rendered in 20 s;
#: three stacked QuantileTransformers to 110 M nodes, which would render for hours).
MAX_EXPRESSION_NODES = 2_000_000


@dataclass(frozen=True)
class CompiledModel:
    """A compiled model: the SQL, its output columns and the IR it came from.

    ``classes``: output column -> class label, for the per-class columns of a classifier.
    ``kind``: what the outputs are: ``regressor``, ``classifier``, ``cluster``, ``outlier``,
    ``multioutput`` (``prediction_<i>``... per target) or ``transformer`` (one column per
    feature).
    ``labels``: the outputs that hold predicted labels (a classifier's, clusterer's or outlier
    detector's ``prediction``; ``prediction_<i>`` of such targets of a multi-output model): the
    prediction log stores them as text, so a retrained model whose labels change type is logged.
    ``input_bound``: rows where an input read as a finite number exceeds this magnitude get
    NULL outputs: inside it no intermediate value can overflow (:mod:`skl2sql.analysis.overflow_bound`);
    the largest double where nothing can.
    ``batch``: the SQL is laid out for scoring whole tables (on DuckDB, large ensembles get
    materialized pipeline breaks: 1.5-2x faster over a table, but a filter on the result can no
    longer reach the scan); False for a view that is queried with filters (see :func:`compile`).
    """

    program: Program
    table: str
    dialect: str
    keep: tuple[str, ...]
    features: tuple[str, ...]
    outputs: list[str]
    estimator_name: str
    classes: dict[str, Any] = field(default_factory=dict)
    batch: bool = True
    kind: str = "regressor"
    labels: tuple[str, ...] = ()
    input_bound: float = DOUBLE_MAX

    @property
    def policy(self) -> DialectPolicy:
        policy = resolve_dialect(self.dialect)
        return policy if self.batch else policy.unbatched()

    @cached_property
    def sql(self) -> str:
        """One SELECT over ``table``: keep columns, then the outputs."""
        return render(build_select(self.program, self.table, self.keep, self.policy), self.policy)

    @paused_gc()
    def to_sql(self, pretty: bool = False) -> str:
        return render(build_select(self.program, self.table, self.keep, self.policy), self.policy, pretty)

    @paused_gc()
    def expressions(self, max_nodes: int = MAX_EXPRESSION_NODES) -> dict[str, str]:
        """Output name -> bare SQL expression over the input columns (no FROM), to embed in a
        SELECT of your own.

        A bare expression cannot compute a shared value once (``.sql`` does, in CTEs), so every
        value read in several places is written out in each: a multiclass boosting model's class
        scores appear in every probability, a chain of QuantileTransformers doubles per step.
        When that would exceed ``max_nodes`` IR nodes, :class:`ExpressionTooLargeError` says so
        at once instead of rendering for minutes."""
        n = inlined_size(self.program)
        if n > max_nodes:
            staged = self.program.size()
            raise ExpressionTooLargeError(
                f"{self.estimator_name}: its outputs as bare expressions would hold {n:,} IR nodes "
                f"({n / max(staged, 1):,.0f}x the {staged:,} of the compiled SELECT), because intermediate "
                f"values are read in several places and a bare expression cannot share them; use "
                f"CompiledModel.sql (one SELECT with CTEs), e.g. as a subquery, or raise "
                f"expressions(max_nodes=...) above {max_nodes:,}"
            )
        policy = self.policy
        return {name: render(node, policy) for name, node in build_expressions(self.program, policy).items()}

    def evaluate(self, data: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """Run the IR in NumPy with SQL semantics (NaN/None are NULL); for checking."""
        return evaluate_program(self.program, data)

    def __repr__(self) -> str:
        return (
            f"CompiledModel({self.estimator_name}, dialect={self.dialect!r}, table={self.table!r}, "
            f"outputs={self.outputs!r})"
        )


def _booster_feature_names(booster: Any) -> tuple[list[str] | None, int | None]:
    """Names and count a raw booster carries itself (it has no ``feature_names_in_``): LightGBM's
    ``feature_name()`` (``Column_0``... when fitted on arrays), XGBoost's ``feature_names`` (None
    when fitted on arrays: then ``features=`` is required). The names are defaults, not a check:
    ``features=`` may rename the columns, keeping their number."""
    try:
        if callable(getattr(booster, "feature_name", None)) and callable(getattr(booster, "num_feature", None)):
            names = [str(n) for n in booster.feature_name()]
            return names, int(booster.num_feature())
        if callable(getattr(booster, "num_features", None)) and hasattr(booster, "feature_names"):
            xgb_names = booster.feature_names
            return ([str(n) for n in xgb_names] if xgb_names else None), int(booster.num_features())
    except Exception:  # noqa: BLE001 - not a booster after all
        pass
    return None, None


def resolve_features(estimator: Any, features: Sequence[str] | None) -> list[str]:
    """Input column names: ``features`` if given, else the estimator's ``feature_names_in_``."""
    fitted = getattr(estimator, "feature_names_in_", None)
    n_in = getattr(estimator, "n_features_in_", None)
    own: list[str] | None = None
    if fitted is None and n_in is None:
        own, n_in = _booster_feature_names(estimator)
    if features is None and fitted is None and own is not None:
        features = own
    if features is not None:
        names = [str(f) for f in features]
        # LightGBM stores names with whitespace replaced by "_" ("mean radius" -> "mean_radius"),
        # so the table's real column names are accepted for them.
        if fitted is not None and list(map(str, fitted)) not in (names, [re.sub(r"\s", "_", n) for n in names]):
            raise SchemaError(
                f"{type(estimator).__name__} was fitted on columns {list(map(str, fitted))}, "
                f"but features={names} was given"
            )
    elif fitted is not None:
        names = [str(f) for f in fitted]
    else:
        raise SchemaError(
            f"{type(estimator).__name__} was fitted without column names; pass features=[...] "
            f"with {n_in if n_in is not None else 'one name per'} input column names"
        )
    if n_in is not None and len(names) != int(n_in):
        raise SchemaError(
            f"{type(estimator).__name__} expects {n_in} input columns, got {len(names)} feature names"
        )
    seen: set[str] = set()
    for n in names:
        if not n:
            raise SchemaError("feature names must be non-empty")
        if n in seen:
            raise SchemaError(f"feature name {n!r} appears twice")
        seen.add(n)
    return names


def _target_name(name: str, i: int) -> str:
    """An output of target ``i``: ``prediction_0``, ``probability_0_<class>``, ``decision_function_1``."""
    for prefix in ("probability_", "decision_function_"):
        if name.startswith(prefix):
            return f"{prefix}{i}_{name[len(prefix):]}"
    return f"{name}_{i}"


def _multioutput(p: Prediction) -> tuple[list[tuple[str, Expr]], dict[str, Any]]:
    """Each target's outputs, named with the target's index (sklearn's column order)."""
    outs: list[tuple[str, Expr]] = []
    classes: dict[str, Any] = {}
    for i, target in enumerate(p.targets):
        sub_outs, sub_classes = _prediction_outputs(target)
        for name, e in sub_outs:
            outs.append((_target_name(name, i), e))
            if name in sub_classes:
                classes[_target_name(name, i)] = sub_classes[name]
    return outs, classes


def _prediction_outputs(p: Prediction) -> tuple[list[tuple[str, Expr]], dict[str, Any]]:
    if p.kind == "multioutput":
        return _multioutput(p)
    outs: list[tuple[str, Expr]] = [("prediction", p.value)]
    classes: dict[str, Any] = {}
    if p.kind in ("classifier", "cluster") and p.classes is not None:
        suffixes = class_suffixes(p.classes)
        if p.proba is not None:
            for s, c, e in zip(suffixes, p.classes, p.proba, strict=True):
                outs.append((f"probability_{s}", e))
                classes[f"probability_{s}"] = c
        elif p.decision is not None:
            if len(p.decision) == 1:
                outs.append(("decision_function", p.decision[0]))
            else:
                for s, c, e in zip(suffixes, p.classes, p.decision, strict=True):
                    outs.append((f"decision_function_{s}", e))
                    classes[f"decision_function_{s}"] = c
    elif p.decision is not None and p.kind != "classifier":
        outs.append(("decision_function", p.decision[0]))
    outs.extend(p.extra)
    return outs, classes


#: Kinds of prediction whose ``prediction`` is a label, not a number.
_LABEL_KINDS = ("classifier", "cluster", "outlier")


def _label_outputs(p: Prediction) -> list[str]:
    """The output columns of ``p`` that hold labels (see :class:`CompiledModel`)."""
    if p.kind == "multioutput":
        return [f"prediction_{i}" for i, t in enumerate(p.targets) if t.kind in _LABEL_KINDS]
    return ["prediction"] if p.kind in _LABEL_KINDS else []


def _feature_outputs(features: list[Feature]) -> list[tuple[str, Expr]]:
    names = class_suffixes([re.sub(r"\s+", "_", f.name) for f in features])
    return [(n if n[0].isalpha() or n[0] == "_" else f"f_{n}", f.expr) for n, f in zip(names, features, strict=True)]


def program_for(estimator: Any, features: Sequence[str] | None = None, keep: Sequence[str] = ()) -> tuple[Program, dict[str, Any]]:
    """Assemble the IR program of ``estimator`` (no SQL yet)."""
    program, classes, _, _, _ = _assemble(estimator, features, keep)
    return program, classes


def _assemble(
    estimator: Any, features: Sequence[str] | None, keep: Sequence[str]
) -> tuple[Program, dict[str, Any], str, tuple[str, ...], float]:
    """The program, the per-class columns, the kind of outputs, the label outputs and the input
    bound (see :class:`CompiledModel`)."""
    names = resolve_features(estimator, features)
    ctx = Context(reserved=set(names) | set(keep), inputs=set(names))
    result = assemblers.assemble(estimator, [Feature(Column(n), n) for n in names], ctx)
    if isinstance(result, Prediction):
        outputs, classes = _prediction_outputs(result)
        kind: str = result.kind
        labels = tuple(_label_outputs(result))
    else:
        outputs, classes, kind, labels = _feature_outputs(result), {}, "transformer", ()
    outputs = guard_finite(ctx, guard_refusals(ctx, outputs))
    clash = set(keep) & {n for n, _ in outputs}
    if clash:
        raise SchemaError(f"keep column(s) {sorted(clash)} clash with output column names")
    split, outputs = split_long_sums([(st.columns, st.pinned) for st in ctx.stages], outputs, ctx.fresh_name)
    stages = tuple(Stage(columns, pinned) for columns, pinned in split)
    return Program(tuple(names), stages, tuple(outputs)), classes, kind, labels, ctx.bound


@paused_gc()
def compile(  # noqa: A001 - the natural name, as in skl2onnx's convert / sqlglot's transpile
    estimator: Any,
    table: str,
    dialect: str = "duckdb",
    keep: Sequence[str] = (),
    features: Sequence[str] | None = None,
    batch: bool = True,
) -> CompiledModel:
    """Compile a fitted estimator into SQL over ``table`` for ``dialect``.

    ``keep``: input columns passed through first (keys). ``features``: input column names when the
    estimator was fitted on an array (otherwise ``feature_names_in_`` is used). ``batch=False``:
    for SQL that will be a view queried with filters (``WHERE id = ...``). The default lays large
    tree ensembles out for scoring whole tables; on DuckDB that materializes stages, which a
    filter cannot pass (a point query on a 50-tree forest view took 1.4 s instead of 0.14 s).
    Results are identical either way.
    """
    policy = resolve_dialect(dialect)
    keep_t = tuple(str(k) for k in keep)
    if len(set(keep_t)) != len(keep_t):
        raise SchemaError(f"keep columns are repeated: {list(keep_t)}")
    program, classes, kind, labels, bound = _assemble(estimator, features, keep_t)
    too_long_inputs = [n for n in (*program.inputs, *keep_t) if len(n.encode("utf-8")) > policy.max_identifier]
    if too_long_inputs:
        raise SchemaError(
            f"column name(s) {too_long_inputs} exceed {policy.name}'s {policy.max_identifier}-byte identifier limit: "
            f"a table of that engine cannot hold such a column (PostgreSQL would silently truncate the name); "
            f"rename the column"
        )
    too_long = [n for n, _ in program.outputs if len(n.encode("utf-8")) > policy.max_identifier]
    if too_long:
        raise SchemaError(
            f"output column name(s) {too_long} exceed {policy.name}'s {policy.max_identifier}-byte identifier "
            f"limit; shorten the class labels or feature names"
        )
    compiled = CompiledModel(
        program=program,
        table=table,
        dialect=policy.name,
        keep=keep_t,
        features=program.inputs,
        outputs=[n for n, _ in program.outputs],
        estimator_name=type(estimator).__name__,
        classes=classes,
        batch=batch,
        kind=kind,
        labels=labels,
        input_bound=bound,
    )
    _ = compiled.sql  # render now, so dialect errors surface at compile time
    return compiled

