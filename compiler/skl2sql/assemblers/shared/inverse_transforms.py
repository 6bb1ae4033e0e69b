"""``inverse_transform`` of PowerTransformer and QuantileTransformer for one column: the target
transformers of a TransformedTargetRegressor (``transformer_.inverse_transform(predict(X))``).

- PowerTransformer: ``X *= scale_; X += mean_`` when it standardised, then per method. Yeo-Johnson
  is sklearn's ``_yeo_johnson_inverse_transform``: for ``x >= 0`` ``exp(x) - 1`` (``|lambda|`` below
  machine spacing) or ``power(x * lambda + 1, 1 / lambda) - 1``; for ``x < 0`` ``1 - power(-(2 -
  lambda) * x + 1, 1 / (2 - lambda))`` or ``1 - exp(-x)`` (``lambda`` = 2). Box-Cox is SciPy's
  ``inv_boxcox``: ``exp(x)`` for ``lambda = 0``, else ``exp(log1p(lambda * x) / lambda)``. Where
  NumPy gives NaN (a negative base to a fractional power) or overflows to infinity, the SQL gives
  NULL: engines raise there instead.
- QuantileTransformer: ``np.interp(x, references_, quantiles_)`` with the end points set as
  sklearn's ``_transform_col(inverse=True)`` sets them: for ``output_distribution='uniform'``
  ``x == 0`` / ``x == 1``; for ``'normal'`` ``x`` is first ``norm.cdf(x)``
  (:func:`~.normal_dist.normal_cdf`), then ``cdf - 1e-7 < 0`` / ``cdf + 1e-7 > 1`` (the lower
  bound wins, as it is assigned last).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.preprocessing import FunctionTransformer, PowerTransformer, QuantileTransformer

from ...errors import UnsupportedEstimatorError
from ...ir import Case, Compare, Expr, Func, add, case, div, lit, mul, sub, total
from ..context import Context
from .normal_dist import normal_cdf
from .prep_common import exp_or_null, interp, log1p, power_or_null

__all__ = ["power_inverse", "quantile_inverse", "function_inverse", "single_target", "INVERSE_FUNCTIONS"]

#: sklearn's ``BOUNDS_THRESHOLD`` in ``_transform_col``.
_BOUNDS = 1e-7


def single_target(values: Any) -> float:
    """The one value of a target transformer's fitted array; a typed error for several targets."""
    arr = np.asarray(values, dtype=np.float64).ravel()
    if arr.size != 1:
        raise UnsupportedEstimatorError(f"TransformedTargetRegressor: transformer fitted on {arr.size} targets")
    return float(arr[0])


def power_inverse(tr: PowerTransformer, x: Expr, ctx: Context) -> Expr:
    """``tr.inverse_transform`` of one column."""
    lmbda = single_target(tr.lambdas_)
    if tr.standardize:
        x = add(mul(x, lit(single_target(tr._scaler.scale_))), lit(single_target(tr._scaler.mean_)))
    x = ctx.materialize([x], "pinv")[0]
    spacing = float(np.spacing(1.0))
    if tr.method == "box-cox":
        if lmbda == 0:
            return exp_or_null(x)
        # a base lambda * x + 1 <= 0 is NaN in SciPy (log1p of <= -1)
        inner = ctx.materialize([mul(lit(lmbda), x)], "pinv_lx")[0]
        safe = case([(Compare(">", inner, lit(-1.0)), inner)], None)
        return exp_or_null(div(log1p(safe, ctx), lit(lmbda)))
    if tr.method != "yeo-johnson":
        raise UnsupportedEstimatorError(f"PowerTransformer(method={tr.method!r}) cannot be inverted")
    if abs(lmbda) < spacing:
        pos = sub(exp_or_null(x), lit(1.0))
    else:
        pos = sub(power_or_null(add(mul(x, lit(lmbda)), lit(1.0)), 1.0 / lmbda), lit(1.0))
    two = 2.0 - lmbda
    if abs(lmbda - 2.0) > spacing:
        neg = sub(lit(1.0), power_or_null(add(mul(lit(-two), x), lit(1.0)), 1.0 / two))
    else:
        neg = sub(lit(1.0), exp_or_null(mul(lit(-1.0), x)))
    return Case(((Compare(">=", x, lit(0.0)), pos), (Compare("<", x, lit(0.0)), neg)), None)


def quantile_inverse(tr: QuantileTransformer, x: Expr, ctx: Context) -> Expr:
    """``tr.inverse_transform`` of one column."""
    quantiles = np.asarray(tr.quantiles_, dtype=np.float64)
    if quantiles.shape[1] != 1:
        raise UnsupportedEstimatorError(f"TransformedTargetRegressor: QuantileTransformer fitted on {quantiles.shape[1]} targets")
    q = quantiles[:, 0]
    refs = np.asarray(tr.references_, dtype=np.float64)
    if tr.output_distribution == "normal":
        x = ctx.materialize([normal_cdf(x, ctx)], "qcdf")[0]
        low: Expr = Compare("<", sub(x, lit(_BOUNDS)), lit(0.0))
        high: Expr = Compare(">", add(x, lit(_BOUNDS)), lit(1.0))
    elif tr.output_distribution == "uniform":
        x = ctx.materialize([x], "qinv")[0]
        low = Compare("=", x, lit(0.0))
        high = Compare("=", x, lit(1.0))
    else:
        raise UnsupportedEstimatorError(f"QuantileTransformer(output_distribution={tr.output_distribution!r}) cannot be inverted")
    return case([(low, lit(float(q[0]))), (high, lit(float(q[-1])))], interp(x, refs, q, ctx))


def _when(cond: Callable[[Expr], Expr], f: Callable[[Expr], Expr]) -> Callable[[Expr], Expr]:
    """``f(x)`` where ``cond(x)`` holds, else NULL (NumPy's NaN/-inf outside the domain)."""
    return lambda x: Case(((cond(x), f(x)),), None)


def _gt(v: float) -> Callable[[Expr], Expr]:
    return lambda x: Compare(">", x, lit(v))


def _ge(v: float) -> Callable[[Expr], Expr]:
    return lambda x: Compare(">=", x, lit(v))


#: NumPy ufuncs accepted as ``inverse_func`` and their SQL forms. Outside a function's domain
#: NumPy gives NaN or ±inf; SQL engines raise there, so those rows give NULL. ``exp``/``expm1``
#: give NULL where NumPy overflows to inf. ``expm1(x)`` is written ``exp(x) - 1`` and
#: ``log1p(x)`` ``ln(1 + x)``: the absolute error near 0 is ~1e-16.
INVERSE_FUNCTIONS: dict[Any, Callable[[Expr], Expr]] = {
    np.exp: exp_or_null,
    np.expm1: lambda x: sub(exp_or_null(x), lit(1.0)),
    np.log: _when(_gt(0.0), lambda x: Func("ln", (x,))),
    np.log1p: _when(_gt(-1.0), lambda x: Func("ln", (total([lit(1.0), x]),))),
    np.log10: _when(_gt(0.0), lambda x: Func("log10", (x,))),
    np.sqrt: _when(_ge(0.0), lambda x: Func("sqrt", (x,))),
    np.square: lambda x: mul(x, x),
}


def function_inverse(tr: FunctionTransformer) -> Callable[[Expr], Expr]:
    """``inverse_func`` of a FunctionTransformer (identity when None), from :data:`INVERSE_FUNCTIONS`."""
    fn = tr.inverse_func
    if tr.inv_kw_args:
        raise UnsupportedEstimatorError("inverse_func with inv_kw_args is not supported")
    if fn is None:
        return lambda x: x
    for known, form in INVERSE_FUNCTIONS.items():
        if fn is known:
            return form
    names = ", ".join(f"numpy.{f.__name__}" for f in INVERSE_FUNCTIONS)
    raise UnsupportedEstimatorError(
        f"inverse_func={getattr(fn, '__name__', fn)!r} cannot be compiled; supported: {names}"
    )
