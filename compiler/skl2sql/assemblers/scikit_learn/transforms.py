"""Element-wise and row-wise transforms: Normalizer, Binarizer, PowerTransformer,
QuantileTransformer, FunctionTransformer.

NULL semantics follow what sklearn does with NaN:

- Normalizer, Binarizer and FunctionTransformer(validate=True) refuse a row containing NaN, so the
  whole row is NULL.
- PowerTransformer and QuantileTransformer pass NaN through per cell; PowerTransformer('box-cox')
  refuses a row with a value <= 0 (``Data must be positive``), so that whole row is NULL.
- Where NumPy yields ±inf or NaN from a finite input (``np.log(0)``, ``np.exp(1000)``), SQL gives
  NULL: no engine represents infinities portably (PostgreSQL raises, SQLite returns NULL).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import stats
from sklearn.preprocessing import (
    Binarizer,
    FunctionTransformer,
    Normalizer,
    PowerTransformer,
    QuantileTransformer,
)

from ...errors import UnsupportedEstimatorError
from ...ir import Arith, Case, Compare, Expr, Func, Or, add, case, clip, div, greatest, lit, mul, sub, total
from ..context import Context
from ..interface import Feature
from ..registry import register, register_inverse
from ..shared.inverse_transforms import function_inverse, power_inverse, quantile_inverse
from ..shared.normal_dist import normal_ppf
from ..shared.prep_common import EXP_MAX, expm1, guard_row, interp, log1p

__all__ = [
    "assemble_normalizer",
    "assemble_binarizer",
    "assemble_power_transformer",
    "assemble_quantile_transformer",
    "assemble_function_transformer",
    "FUNCTIONS",
    "boxcox",
    "yeojohnson",
    "log10",
    "reciprocal",
]

#: 10 * machine epsilon: sklearn's ``_handle_zeros_in_scale`` treats smaller norms as zero.
_TINY_NORM = 10 * float(np.finfo(np.float64).eps)
#: ``sqrt(DBL_MAX)``: squaring a larger magnitude overflows to inf in NumPy.
_SQUARE_MAX = float(np.sqrt(np.finfo(np.float64).max))
#: ``1 / DBL_MAX``: the reciprocal of a smaller magnitude overflows to inf in NumPy.
_RECIP_MIN = float(1.0 / np.finfo(np.float64).max)


@register(Normalizer)
def assemble_normalizer(est: Normalizer, features: list[Feature], ctx: Context) -> list[Feature]:
    """``x / norm(row)``; a norm below 10 eps counts as 0 and divides by 1 (sklearn's
    ``_handle_zeros_in_scale``). Any NULL in the row makes the norm, hence every output, NULL."""
    xs = ctx.materialize([ctx.number(f.expr) for f in features], "nx")
    ctx.refuse_missing(xs)
    if est.norm == "l1":
        norm: Expr = total([Func("abs", (x,)) for x in xs])
    elif est.norm == "l2":
        norm = Func("sqrt", (total([Arith("*", x, x) for x in xs]),))
    elif est.norm == "max":
        absx = ctx.materialize([Func("abs", (x,)) for x in xs], "nabs")
        norm = greatest(absx)
    else:
        raise UnsupportedEstimatorError(f"Normalizer(norm={est.norm!r}) is not supported")
    n = ctx.materialize([norm], "norm")[0]
    safe = ctx.materialize([Case(((Compare("<", n, lit(_TINY_NORM)), lit(1.0)),), n)], "norm")[0]
    return [Feature(div(x, safe), f.name) for x, f in zip(xs, features, strict=True)]


@register(Binarizer)
def assemble_binarizer(est: Binarizer, features: list[Feature], ctx: Context) -> list[Feature]:
    """``1.0 if x > threshold else 0.0``; sklearn refuses rows with NaN, so those rows are NULL."""
    t = lit(float(est.threshold))
    xs = [ctx.number(f.expr) for f in features]
    outs: list[Expr] = [case([(Compare(">", x, t), lit(1.0))], lit(0.0)) for x in xs]
    guarded = guard_row(xs, outs, ctx)
    return [Feature(e, f.name) for e, f in zip(guarded, features, strict=True)]


# --- PowerTransformer ---------------------------------------------------------------------------


def boxcox(x: Expr, lmbda: float, ctx: Context) -> Expr:
    """``scipy.special.boxcox(x, lmbda)`` for x > 0: ``log(x)`` when ``|lmbda| < 1e-19``, else
    ``expm1(lmbda * log(x)) / lmbda`` (SciPy's overflow branch above 709.78 gives values NumPy
    cannot follow either; those are NULL)."""
    lx = Func("ln", (x,))
    if abs(lmbda) < 1e-19:
        return lx
    return div(expm1(mul(lit(lmbda), lx), ctx), lit(lmbda))


def yeojohnson(x: Expr, lmbda: float, ctx: Context) -> Expr:
    """``scipy.stats._morestats._yeojohnson_transform``: separate formulas for x >= 0 and x < 0,
    each with its own lambda ~ 0 / lambda ~ 2 branch (eps = machine epsilon)."""
    eps = float(np.finfo(np.float64).eps)
    pos_x = Case(((Compare(">=", x, lit(0.0)), x),), None)
    neg_x = Case(((Compare("<", x, lit(0.0)), mul(lit(-1.0), x)),), None)
    if abs(lmbda) < eps:
        pos = log1p(pos_x, ctx)
    else:
        pos = div(expm1(mul(lit(lmbda), log1p(pos_x, ctx)), ctx), lit(lmbda))
    two = 2.0 - lmbda
    if abs(lmbda - 2.0) > eps:
        neg = mul(lit(-1.0), div(expm1(mul(lit(two), log1p(neg_x, ctx)), ctx), lit(two)))
    else:
        neg = mul(lit(-1.0), log1p(neg_x, ctx))
    return Case(((Compare(">=", x, lit(0.0)), pos), (Compare("<", x, lit(0.0)), neg)), None)


@register(PowerTransformer)
def assemble_power_transformer(est: PowerTransformer, features: list[Feature], ctx: Context) -> list[Feature]:
    xs = ctx.materialize([ctx.number(f.expr) for f in features], "px")
    outs: list[Expr] = []
    for x, lmbda in zip(xs, est.lambdas_, strict=True):
        if est.method == "box-cox":
            y = boxcox(Case(((Compare(">", x, lit(0.0)), x),), None), float(lmbda), ctx)
        elif est.method == "yeo-johnson":
            y = yeojohnson(x, float(lmbda), ctx)
        else:
            raise UnsupportedEstimatorError(f"PowerTransformer(method={est.method!r}) is not supported")
        outs.append(y)
    if est.standardize:
        sc = est._scaler
        outs = [div(sub(y, lit(float(m))), lit(float(s))) for y, m, s in zip(outs, sc.mean_, sc.scale_, strict=True)]
    if est.method == "box-cox":
        # sklearn checks ``np.nanmin(X) <= 0`` per batch: a row with any value <= 0 is refused.
        bad = Or(tuple(Compare("<=", x, lit(0.0)) for x in xs)) if len(xs) > 1 else Compare("<=", xs[0], lit(0.0))
        flag = ctx.materialize([case([(bad, lit(None))], lit(1.0))], "bcok")[0]
        outs = [Case(((Compare("=", flag, lit(1.0)), o),), None) for o in outs]
    return [Feature(o, f.name) for o, f in zip(outs, features, strict=True)]


# --- QuantileTransformer ------------------------------------------------------------------------

_BOUNDS_THRESHOLD = 1e-7


@register(QuantileTransformer)
def assemble_quantile_transformer(est: QuantileTransformer, features: list[Feature], ctx: Context) -> list[Feature]:
    """sklearn's ``_transform_col``: the mean of an ascending and a descending ``np.interp`` (so
    repeated quantiles map to the middle of their range), the end points set exactly, then
    ``norm.ppf`` and a clip for ``output_distribution='normal'``. NaN passes through per cell."""
    refs = np.asarray(est.references_, dtype=np.float64)
    normal = est.output_distribution == "normal"
    if est.output_distribution not in ("uniform", "normal"):
        raise UnsupportedEstimatorError(
            f"QuantileTransformer(output_distribution={est.output_distribution!r}) is not supported"
        )
    out: list[Feature] = []
    for j, f in enumerate(features):
        q = np.asarray(est.quantiles_[:, j], dtype=np.float64)
        x = ctx.materialize([ctx.number(f.expr)], "qx")[0]
        up = interp(x, q, refs, ctx)
        neg = ctx.materialize([mul(lit(-1.0), x)], "qneg")[0]
        down = interp(neg, -q[::-1], -refs[::-1], ctx)
        y: Expr = mul(lit(0.5), sub(up, down))
        if normal:
            low_hit: Expr = Compare("<", sub(x, lit(_BOUNDS_THRESHOLD)), lit(float(q[0])))
            high_hit: Expr = Compare(">", add(x, lit(_BOUNDS_THRESHOLD)), lit(float(q[-1])))
        else:
            low_hit = Compare("=", x, lit(float(q[0])))
            high_hit = Compare("=", x, lit(float(q[-1])))
        # sklearn assigns the upper bound first and the lower bound last, so lower wins.
        y = case([(low_hit, lit(0.0)), (high_hit, lit(1.0))], y)
        if normal:
            eps = float(np.spacing(1))
            clip_min = float(stats.norm.ppf(_BOUNDS_THRESHOLD - eps))
            clip_max = float(stats.norm.ppf(1 - (_BOUNDS_THRESHOLD - eps)))
            p = ctx.materialize([y], "qp")[0]
            z = ctx.materialize([normal_ppf(p, ctx)], "qz")[0]
            y = case(
                [(Compare("<=", p, lit(0.0)), lit(clip_min)), (Compare(">=", p, lit(1.0)), lit(clip_max))],
                clip(z, clip_min, clip_max),
            )
        out.append(Feature(y, f.name))
    return out


# --- FunctionTransformer ------------------------------------------------------------------------


def _log(x: Expr, ctx: Context) -> Expr:
    return Case(((Compare(">", x, lit(0.0)), Func("ln", (x,))),), None)


def log10(x: Expr, ctx: Context) -> Expr:
    """``ln(x) / ln(10)``: within 2 ulp of ``np.log10`` (the IR's log10 lowers to ``LOG(10, x)``,
    which PostgreSQL has only for NUMERIC arguments)."""
    return Case(((Compare(">", x, lit(0.0)), div(Func("ln", (x,)), lit(float(np.log(10.0))))),), None)


def _sqrt(x: Expr, ctx: Context) -> Expr:
    return Case(((Compare(">=", x, lit(0.0)), Func("sqrt", (x,))),), None)


def _exp(x: Expr, ctx: Context) -> Expr:
    # Below -745 exp() is 0 in NumPy; clamping keeps PostgreSQL from raising on underflow.
    arg = Case(((Compare("<", x, lit(-745.0)), lit(-745.0)),), x)
    return Case(
        ((Compare("<", x, lit(-745.0)), lit(0.0)), (Compare("<=", x, lit(EXP_MAX)), Func("exp", (arg,)))),
        None,
    )


def _square(x: Expr, ctx: Context) -> Expr:
    return Case(((Compare("<=", Func("abs", (x,)), lit(_SQUARE_MAX)), Arith("*", x, x)),), None)


def reciprocal(x: Expr, ctx: Context) -> Expr:
    return Case(((Compare(">", Func("abs", (x,)), lit(_RECIP_MIN)), div(lit(1.0), x)),), None)


def _negative(x: Expr, ctx: Context) -> Expr:
    return mul(lit(-1.0), x)


def _abs(x: Expr, ctx: Context) -> Expr:
    return Func("abs", (x,))


def _identity(x: Expr, ctx: Context) -> Expr:
    return x


#: NumPy ufuncs FunctionTransformer may wrap, each as an IR builder with NumPy's NaN/inf results
#: mapped to NULL.
FUNCTIONS: dict[Any, Callable[[Expr, Context], Expr]] = {
    np.log: _log,
    np.log10: log10,
    np.log1p: log1p,
    np.exp: _exp,
    np.expm1: expm1,
    np.sqrt: _sqrt,
    np.abs: _abs,
    np.absolute: _abs,
    np.square: _square,
    np.negative: _negative,
    np.reciprocal: reciprocal,
}


@register(FunctionTransformer)
def assemble_function_transformer(est: FunctionTransformer, features: list[Feature], ctx: Context) -> list[Feature]:
    func = est.func
    if func is None:
        fn: Callable[[Expr, Context], Expr] = _identity
    else:
        found = next((v for k, v in FUNCTIONS.items() if k is func), None)
        if found is None:
            name = getattr(func, "__name__", repr(func))
            raise UnsupportedEstimatorError(
                f"FunctionTransformer(func={name}) cannot be compiled; supported functions: None, "
                + ", ".join(f"np.{k.__name__}" for k in FUNCTIONS)
            )
        fn = found
    if est.kw_args:
        raise UnsupportedEstimatorError(f"FunctionTransformer(kw_args={est.kw_args!r}) is not supported")
    xs = [ctx.number(f.expr) for f in features] if func is not None else [f.expr for f in features]
    outs = [fn(x, ctx) for x in xs]
    if est.validate:
        outs = guard_row(xs, outs, ctx)
    names = [f.name for f in features]
    try:
        names = [str(n) for n in est.get_feature_names_out()]
    except Exception:  # noqa: BLE001 - names are cosmetic; sklearn raises several types here
        pass
    if len(names) != len(outs):
        names = [f.name for f in features]
    return [Feature(o, n) for o, n in zip(outs, names, strict=True)]


# -- inverse_transform of one column (a TransformedTargetRegressor's target) --------------------


@register_inverse(PowerTransformer)
def power_transformer_inverse(tr: PowerTransformer, ctx: Context) -> Callable[[Expr], Expr]:
    return lambda x: power_inverse(tr, x, ctx)


@register_inverse(QuantileTransformer)
def quantile_transformer_inverse(tr: QuantileTransformer, ctx: Context) -> Callable[[Expr], Expr]:
    return lambda x: quantile_inverse(tr, x, ctx)


@register_inverse(FunctionTransformer)
def function_transformer_inverse(tr: FunctionTransformer, ctx: Context) -> Callable[[Expr], Expr]:
    return function_inverse(tr)
