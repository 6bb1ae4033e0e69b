"""Model as data: a linear model's parameters as rows, scored by generic SQL.

Instead of one SELECT with the coefficients written into it, the weights live in a table
(``model_version, output, output_name, term, feature, weight``; ``feature`` NULL is the intercept)
and the scoring SQL reads them for one ``model_version``. Replacing a model with a retrained one of
the same shape (features, classes) is then loading new rows: no new SQL.

Two renderings of the same scoring, tested against each other and against scikit-learn:

- the dbt package macro ``skl2sql.score_linear_from_weights`` (Jinja, what ``dbt build`` runs);
- :func:`data_mode_sql` here (sqlglot, any dialect), so the scoring can be benchmarked or run
  without dbt.

The weights are pivoted into one row (``MAX(CASE WHEN output = k AND feature = 'f' THEN weight
END)`` per output and feature) and cross-joined to the input: one pass over the input, no
unpivot, no GROUP BY over the rows, and each score is ``w_1 * x_1 + ... + b`` in scikit-learn's
order. Every feature keeps its row even with weight 0, so a NULL feature still gives a NULL score
(as the compiled SQL does).

Supported: ``LinearRegression`` (one target), ``LogisticRegression`` (binary, and multinomial
softmax), alone or after ``StandardScaler`` steps in a ``Pipeline``, whose centring and scaling are
folded into the weights (``w / scale`` and ``b - sum(w * mean / scale)``: a rounding difference of
a few ulps, far inside the 1e-9 parity tolerance). Anything else raises
:class:`~skl2sql.errors.UnsupportedEstimatorError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..api import resolve_features
from ..assemblers.context import Context
from ..assemblers.interface import class_suffixes, label_literal
from ..assemblers.refusals import guard_finite
from ..dialects import resolve_dialect
from ..errors import SchemaError, UnsupportedEstimatorError
from ..ir import Case, Column, Compare, Expr, argmax, lit, mul, sigmoid, softmax, total
from ..lowering import render
from ..lowering.weights import weights_pivot
from ..program import Program
from ..sql import build_select
from .tree_data import TREE_DATA_ESTIMATORS, TreeNodes, is_tree_model, tree_nodes

__all__ = [
    "LinearWeights",
    "linear_weights",
    "model_as_data",
    "data_mode_sql",
    "WEIGHT_COLUMNS",
    "DATA_MODE_ESTIMATORS",
]

#: Columns of a weights table, in order.
WEIGHT_COLUMNS: tuple[str, ...] = ("model_version", "output", "output_name", "term", "feature", "weight")

#: What ``--as-data`` accepts (tree models: :mod:`skl2sql.dbt.tree_data`).
DATA_MODE_ESTIMATORS: tuple[str, ...] = (
    "LinearRegression",
    "LogisticRegression",
    "Pipeline(StandardScaler..., LinearRegression | LogisticRegression)",
    *TREE_DATA_ESTIMATORS,
)


@dataclass(frozen=True)
class LinearWeights:
    """A linear model as data.

    ``task``: ``regression`` (one score), ``binary`` (one score, logistic), ``multinomial`` (one
    score per class, softmax). ``coef`` has shape (n_scores, n_features); ``outputs`` are the
    output column names of the compiled contract (``prediction``, ``probability_<class>``...)."""

    task: str
    features: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray
    classes: tuple[Any, ...]
    outputs: tuple[str, ...]

    @property
    def n_scores(self) -> int:
        return int(self.coef.shape[0])

    def score_names(self) -> list[str]:
        if self.task == "multinomial":
            return [str(c.item() if hasattr(c, "item") else c) for c in self.classes]
        return ["score"]

    def rows(self, model_version: str) -> list[tuple[Any, ...]]:
        """Weight rows (see :data:`WEIGHT_COLUMNS`); the intercept is the last term of each output."""
        out: list[tuple[Any, ...]] = []
        names = self.score_names()
        n = len(self.features)
        for k in range(self.n_scores):
            for j, f in enumerate(self.features):
                out.append((model_version, k, names[k], j, f, repr(float(self.coef[k, j]))))
            out.append((model_version, k, names[k], n, None, repr(float(self.intercept[k]))))
        return out


def _unsupported(est: Any, why: str) -> UnsupportedEstimatorError:
    return UnsupportedEstimatorError(
        f"--as-data cannot store {type(est).__name__}: {why}. Model as data supports "
        f"{', '.join(DATA_MODE_ESTIMATORS)}; compile it as SQL instead (leave out --as-data)."
    )


def linear_weights(estimator: Any, features: Sequence[str] | None = None) -> LinearWeights:
    """The weights of a supported linear model (see module docs), scalers folded in."""
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    names = resolve_features(estimator, features)
    steps: list[Any] = []
    final = estimator
    if isinstance(estimator, Pipeline):
        steps = [s for _, s in estimator.steps[:-1] if s is not None and s != "passthrough"]
        final = estimator.steps[-1][1]
        for s in steps:
            if type(s) is not StandardScaler:
                raise _unsupported(estimator, f"pipeline step {type(s).__name__} cannot be folded into weights")
    n = len(names)
    if type(final) is LinearRegression:
        coef = np.atleast_2d(np.asarray(final.coef_, dtype=np.float64))
        if coef.shape[0] != 1:
            raise _unsupported(final, "multiple targets")
        intercept = np.atleast_1d(np.asarray(final.intercept_, dtype=np.float64)).reshape(-1)
        task, classes = "regression", ()
    elif type(final) is LogisticRegression:
        coef = np.asarray(final.coef_, dtype=np.float64)
        intercept = np.asarray(final.intercept_, dtype=np.float64).reshape(-1)
        classes = tuple(final.classes_)
        if len(classes) == 2:
            task = "binary"
        elif getattr(final, "solver", "") == "liblinear" or getattr(final, "multi_class", "auto") == "ovr":
            raise _unsupported(final, "one-vs-rest probabilities")
        else:
            task = "multinomial"
    else:
        raise _unsupported(final, "not a linear model")
    if coef.shape[1] != n:
        raise SchemaError(f"{type(final).__name__} has {coef.shape[1]} coefficients for {n} features")
    coef = coef.copy()
    intercept = intercept.copy()
    for s in reversed(steps):  # fold the last scaler first: z = b + w . ((x - mean) / scale)
        mean = np.asarray(s.mean_, dtype=np.float64) if s.with_mean and s.mean_ is not None else np.zeros(n)
        scale = np.asarray(s.scale_, dtype=np.float64) if s.with_std and s.scale_ is not None else np.ones(n)
        coef = coef / scale
        intercept = intercept - coef @ mean
    if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))):
        raise _unsupported(estimator, "non-finite weights")
    outputs = ["prediction"]
    if task != "regression":
        outputs += [f"probability_{s}" for s in class_suffixes(classes)]
    return LinearWeights(task, tuple(names), coef, intercept, classes, tuple(outputs))


def model_as_data(estimator: Any, features: Sequence[str] | None = None) -> LinearWeights | TreeNodes:
    """The parameters of ``estimator`` as rows: :class:`TreeNodes` for tree models,
    :class:`LinearWeights` otherwise (which refuses what it cannot fold into weights)."""
    if is_tree_model(estimator):
        return tree_nodes(estimator, features)
    return linear_weights(estimator, features)


def _weight_column(k: int, j: int | None) -> str:
    return f"skl2sql_b_{k}" if j is None else f"skl2sql_w_{k}_{j}"


def _program(spec: LinearWeights) -> Program:
    """The scoring as IR over the input features and the pivoted weight columns."""
    ctx = Context(reserved=set(spec.features), inputs=set(spec.features))
    xs: list[Expr] = [ctx.number(Column(f)) for f in spec.features]
    scores: list[Expr] = []
    for k in range(spec.n_scores):
        terms: list[Expr] = [mul(Column(_weight_column(k, j)), x) for j, x in enumerate(xs)]
        terms.append(Column(_weight_column(k, None)))
        scores.append(total(terms))
    outputs: list[tuple[str, Expr]]
    if spec.task == "regression":
        outputs = [("prediction", scores[0])]
    else:
        labels = [label_literal(c) for c in spec.classes]
        z = ctx.materialize(scores, "score")
        if spec.task == "binary":
            label: Expr = Case(((Compare(">", z[0], lit(0.0)), labels[1]), (Compare("<=", z[0], lit(0.0)), labels[0])), None)
            p1 = ctx.materialize([sigmoid(z[0])], "proba")[0]
            probs: list[Expr] = [total([lit(1.0), mul(lit(-1.0), p1)]), p1]
        else:
            label = argmax(z, labels)
            probs = softmax(z, ctx.materialize)
        outputs = [("prediction", label), *zip(spec.outputs[1:], probs, strict=True)]
    outputs = guard_finite(ctx, outputs)  # as the macro: sklearn refuses a row holding an infinity
    weight_inputs = [_weight_column(k, j) for k in range(spec.n_scores) for j in [*range(len(spec.features)), None]]
    return Program((*spec.features, *weight_inputs), tuple(ctx.stages), tuple(outputs))


def data_mode_sql(
    model: Any,
    table: str,
    weights_table: str,
    model_version: str,
    dialect: str = "duckdb",
    keep: Sequence[str] = (),
    features: Sequence[str] | None = None,
    pretty: bool = False,
) -> str:
    """SQL scoring ``table`` with the weights of ``model_version`` read from ``weights_table``.

    ``model``: a fitted supported estimator or its :class:`LinearWeights`. The weights table holds
    :meth:`LinearWeights.rows` (see :data:`WEIGHT_COLUMNS`). Output columns follow the compiled
    contract: ``keep`` columns, ``prediction``, then ``probability_<class>`` for classifiers."""
    spec = model if isinstance(model, LinearWeights) else linear_weights(model, features)
    policy = resolve_dialect(dialect)
    pivot = [(_weight_column(k, j), k, None if j is None else spec.features[j])
             for k in range(spec.n_scores) for j in [*range(len(spec.features)), None]]
    weights = weights_pivot(pivot, weights_table, model_version, policy, "skl2sql_w")
    select = build_select(_program(spec), table, tuple(keep), policy, beside=weights)
    return render(select, policy, pretty)
