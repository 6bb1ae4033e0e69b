"""Imputers and missing indicators: SimpleImputer, MissingIndicator, IterativeImputer.

Imputation is ``CASE WHEN <missing> THEN statistic ELSE x END`` with the fitted ``statistics_``.
What counts as missing follows ``missing_values``:

- NaN (the default; also ``None`` / ``pd.NA``): SQL NULL. For text columns sklearn's NaN and None
  are both NULL in a warehouse, so both are imputed.
- a sentinel (``-1``, ``"?"``): ``x = sentinel``. sklearn then refuses NaN in the input
  (``Input contains NaN``), so a row with a NULL anywhere gives NULL in every output.

Features whose statistic is NaN (no observed value at fit time) are dropped, as sklearn does,
unless ``keep_empty_features=True`` (sklearn then stored 0 or ``fill_value`` as the statistic).
Indicators are 1.0 / 0.0 (sklearn's booleans, as numbers).

IterativeImputer replays ``transform``: the initial SimpleImputer, then each fitted step of
``imputation_sequence_`` in order (round by round, feature by feature): where the row's original
value of that feature is missing, the step's regressor predicts it from the current values of its
neighbour features, clipped to ``min_value``/``max_value``; elsewhere the value stays. Each step
is a stage (a chain as long as the sequence, ``n_iter_`` x features: keep it under 64 on
MariaDB, whose WITH limit the engine reports). Any supported regressor may be the estimator.
Refused: ``sample_posterior=True`` (random draws at transform time). One difference by design: a
batch in which *every* cell is missing gets only the initial imputation from sklearn (it checks
the whole batch), while the SQL, row by row, still runs the chain.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.impute._iterative import IterativeImputer  # importable without enabling the experiment
from sklearn.utils._missing import is_scalar_nan

from ...errors import UnsupportedEstimatorError
from ...ir import Compare, Expr, IsNull, Not, Or, case, clip, lit
from ..context import Context
from ..interface import Feature
from ..registry import predict, register
from ..shared.prep_common import guard_row

__all__ = ["assemble_simple_imputer", "assemble_missing_indicator", "assemble_iterative_imputer", "missing_condition"]


def _nan_like(mv: Any) -> bool:
    if mv is None:
        return True
    try:
        import pandas as pd

        if mv is pd.NA:
            return True
    except ImportError:  # pragma: no cover - pandas ships with sklearn's test deps
        pass
    return bool(is_scalar_nan(mv))


def _sentinel(mv: Any) -> Expr:
    if isinstance(mv, str):
        return lit(mv)
    if isinstance(mv, (bool, np.bool_)):
        raise UnsupportedEstimatorError(f"missing_values={mv!r} (a boolean) is not supported")
    return lit(float(mv))


def missing_condition(x: Expr, mv: Any, numeric: bool, ctx: Context) -> Expr:
    """The condition "x is missing" for sklearn's ``missing_values``."""
    if _nan_like(mv):
        return IsNull(x)
    return Compare("=", ctx.number(x) if numeric and not isinstance(mv, str) else x, _sentinel(mv))


def _value(v: Any, text: bool) -> Expr:
    if v is None:
        return lit(None)
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, str):
        return lit(v)
    if text and not isinstance(v, (int, float)):
        return lit(str(v))
    return lit(float(v))


def _indicators(
    features: list[Feature], idx: Any, mv: Any, numeric: bool, ctx: Context
) -> list[Feature]:
    return [
        Feature(case([(missing_condition(features[j].expr, mv, numeric, ctx), lit(1.0))], lit(0.0)),
                f"missingindicator_{features[j].name}")
        for j in idx
    ]


def _stat_is_nan(v: Any) -> bool:
    return v is None or (isinstance(v, (float, np.floating)) and np.isnan(v))


@register(SimpleImputer)
def assemble_simple_imputer(est: SimpleImputer, features: list[Feature], ctx: Context) -> list[Feature]:
    mv = est.missing_values
    text = getattr(est, "_fit_dtype", np.dtype(float)).kind == "O"
    stats = list(est.statistics_)
    out: list[Feature] = []
    for f, s in zip(features, stats, strict=True):
        if _stat_is_nan(s) and not est.keep_empty_features:
            continue
        numeric = isinstance(s, (int, float, np.integer, np.floating)) and not isinstance(s, (bool, np.bool_))
        x = ctx.number(f.expr) if numeric else f.expr
        fill = _value(s, text)
        out.append(Feature(case([(missing_condition(f.expr, mv, numeric, ctx), fill)], x), f.name))
    if est.add_indicator and est.indicator_ is not None:
        out += _indicators(features, est.indicator_.features_, mv, not text, ctx)
    if not _nan_like(mv):
        exprs = guard_row([f.expr for f in features], [o.expr for o in out], ctx)
        out = [Feature(e, o.name) for e, o in zip(exprs, out, strict=True)]
    return out


@register(MissingIndicator)
def assemble_missing_indicator(est: MissingIndicator, features: list[Feature], ctx: Context) -> list[Feature]:
    mv = est.missing_values
    idx = list(est.features_)
    out = _indicators(features, idx, mv, True, ctx)
    extra: Expr | None = None
    if est.features == "missing-only" and est.error_on_new:
        # sklearn raises when a feature that had no missing value at fit time has one now.
        others = [j for j in range(len(features)) if j not in set(idx)]
        if others:
            conds = [missing_condition(features[j].expr, mv, True, ctx) for j in others]
            extra = Not(Or(tuple(conds)) if len(conds) > 1 else conds[0])
    inputs = [f.expr for f in features] if not _nan_like(mv) else []
    if inputs or extra is not None:
        exprs = guard_row(inputs, [o.expr for o in out], ctx, extra=extra)
        out = [Feature(e, o.name) for e, o in zip(exprs, out, strict=True)]
    return out


@register(IterativeImputer)
def assemble_iterative_imputer(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    if est.sample_posterior:
        raise UnsupportedEstimatorError(
            "IterativeImputer(sample_posterior=True) draws random values at transform time; refit it with sample_posterior=False"
        )
    mv = est.missing_values
    kept = [j for j in range(len(features)) if not est._is_empty_feature[j]] if not est.keep_empty_features else list(range(len(features)))
    empty_kept = set(np.flatnonzero(est._is_empty_feature)) if est.keep_empty_features else set()
    # the initial imputation of the original values; a sentinel imputer already guards the row
    initial = assemble_simple_imputer(est.initial_imputer_, features, ctx)
    current = ctx.materialize([f.expr for f in initial], "ii")
    missing = [
        None if j in empty_kept else missing_condition(features[j].expr, mv, True, ctx) for j in kept
    ]
    low, high = np.asarray(est._min_value, dtype=np.float64), np.asarray(est._max_value, dtype=np.float64)
    for step in est.imputation_sequence_:
        j = int(step.feat_idx)
        cond = missing[j]
        if cond is None:
            continue  # a kept empty feature is never re-imputed (sklearn marks it not missing)
        neighbours = [Feature(current[int(i)], f"x{int(i)}") for i in step.neighbor_feat_idx]
        p = predict(step.estimator, neighbours, ctx)
        if p.kind != "regressor":
            raise UnsupportedEstimatorError(
                f"IterativeImputer with estimator {type(step.estimator).__name__}: only regressors impute values"
            )
        value = clip(p.value, None if np.isneginf(low[j]) else float(low[j]), None if np.isposinf(high[j]) else float(high[j]))
        current[j] = ctx.materialize([case([(cond, value)], current[j])], "it")[0]
    names = [str(n) for n in est.get_feature_names_out()]
    out = [Feature(e, n) for e, n in zip(current, names, strict=False)]
    if est.add_indicator and est.indicator_ is not None:
        idx = list(est.indicator_.features_)
        out += [
            Feature(case([(missing_condition(features[j].expr, mv, True, ctx), lit(1.0))], lit(0.0)), n)
            for j, n in zip(idx, names[len(current) :], strict=True)
        ]
    if not _nan_like(mv):
        exprs = guard_row([f.expr for f in features], [o.expr for o in out], ctx)
        out = [Feature(e, o.name) for e, o in zip(exprs, out, strict=True)]
    return out
