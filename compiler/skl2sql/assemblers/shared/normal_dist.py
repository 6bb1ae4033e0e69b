"""The standard normal CDF and its inverse (``scipy.stats.norm.cdf`` / ``ppf``) as IR arithmetic.

SQL engines have neither ``ndtr`` nor ``ndtri`` (nor, in several, ``erf``); QuantileTransformer
(output_distribution='normal') needs the inverse to transform and the CDF to invert (as the target
transformer of a TransformedTargetRegressor).

:func:`normal_cdf` is a Taylor expansion of ``ndtr`` around the centre of each of 68 intervals of
width 0.25 covering ``[-8.5, 8.5]`` (0 and 1 outside, where ``ndtr`` is within 1e-17 of them): the
derivatives of ``ndtr`` are ``phi(c)`` times probabilists' Hermite polynomials, so the coefficients
(``ndtr(c)``, then ``phi(c) (-1)^(m-1) He_(m-1)(c) / m!``) come from SciPy and a recurrence at
compile time, and 21 terms over ``|h| <= 0.125`` leave an absolute error of a few 1e-16 (measured
on two million points against ``scipy.special.ndtr``). The interval's number is found once; its
centre and coefficients are looked up (arrays where the dialect has them, a search otherwise),
and the polynomial is Horner in three chunks, because SQLite's parser overflows on about 20 nested
parentheses.

:func:`normal_ppf` is
Wichura's algorithm AS 241 (PPND16, Applied Statistics 37, 1988): three rational approximations
(central region, tails up to ``sqrt(-ln p) <= 5``, far tails) accurate to about 1e-16 relative,
built only from ``+ - * /``, ``ln`` and ``sqrt``. Measured against ``scipy.special.ndtri`` the
largest relative difference is a few 1e-16 (see the tests), far inside the 1e-9 parity tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.special import ndtr

from ...ir import Case, Compare, Expr, Func, Lookup, add, clip, div, lit, mul, sub
from ..context import Context
from .prep_common import piecewise

__all__ = ["normal_ppf", "normal_cdf"]

_A = (
    3.3871328727963666080e0, 1.3314166789178437745e2, 1.9715909503065514427e3, 1.3731693765509461125e4,
    4.5921953931549871457e4, 6.7265770927008700853e4, 3.3430575583588128105e4, 2.5090809287301226727e3,
)
_B = (
    1.0, 4.2313330701600911252e1, 6.8718700749205790830e2, 5.3941960214247511077e3,
    2.1213794301586595867e4, 3.9307895800092710610e4, 2.8729085735721942674e4, 5.2264952788528545610e3,
)
_C = (
    1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0, 3.64784832476320460504e0,
    1.27045825245236838258e0, 2.41780725177450611770e-1, 2.27238449892691845833e-2, 7.74545014278341407640e-4,
)
_D = (
    1.0, 2.05319162663775882187e0, 1.67638483018380384940e0, 6.89767334985100004550e-1,
    1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4, 1.05075007164441684324e-9,
)
_E = (
    6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0, 2.96560571828504891230e-1,
    2.65321895265761230930e-2, 1.24266094738807843860e-3, 2.71155556874348757815e-5, 2.01033439929228813265e-7,
)
_F = (
    1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
    7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7, 2.04426310338993978564e-15,
)


def _horner(coefs: Sequence[float], r: Expr) -> Expr:
    """``c0 + c1 r + ... + c7 r^7`` in Horner form (as the reference implementation)."""
    acc: Expr = lit(coefs[-1])
    for c in reversed(coefs[:-1]):
        acc = add(mul(acc, r), lit(c))
    return acc


def normal_ppf(p: Expr, ctx: Context) -> Expr:
    """``norm.ppf(p)`` for ``0 < p < 1``; NULL for NULL, and NULL at 0 and 1 (±inf in SciPy):
    callers handle the end points themselves."""
    p = ctx.materialize([p], "ppf_p")[0]
    q = ctx.materialize([sub(p, lit(0.5))], "ppf_q")[0]
    r_c = ctx.materialize([sub(lit(0.180625), mul(q, q))], "ppf_rc")[0]
    central = div(mul(q, _horner(_A, r_c)), _horner(_B, r_c))
    tail_p = Case(((Compare("<", q, lit(0.0)), p),), sub(lit(1.0), p))
    safe = Case(((Compare(">", tail_p, lit(0.0)), tail_p),), None)
    r = ctx.materialize([Func("sqrt", (mul(lit(-1.0), Func("ln", (safe,))),))], "ppf_r")[0]
    r1 = ctx.materialize([sub(r, lit(1.6))], "ppf_r1")[0]
    r2 = ctx.materialize([sub(r, lit(5.0))], "ppf_r2")[0]
    mid = div(_horner(_C, r1), _horner(_D, r1))
    far = div(_horner(_E, r2), _horner(_F, r2))
    tail = ctx.materialize([Case(((Compare("<=", r, lit(5.0)), mid),), far)], "ppf_t")[0]
    signed = Case(((Compare("<", q, lit(0.0)), mul(lit(-1.0), tail)),), tail)
    return Case(
        (
            (Compare("<=", p, lit(0.0)), lit(None)),
            (Compare(">=", p, lit(1.0)), lit(None)),
            (Compare("<=", Func("abs", (q,)), lit(0.425)), central),
        ),
        signed,
    )


#: :func:`normal_cdf`'s intervals: ``[CDF_LOW + k * CDF_STEP, ... + CDF_STEP)``, and its terms.
CDF_LOW, CDF_HIGH, CDF_STEP, CDF_TERMS = -8.5, 8.5, 0.25, 21
#: Horner chunk length (nesting stays well under SQLite's parser limit).
_CHUNK = 7


def _cdf_coefficients(c: float) -> list[float]:
    """Taylor coefficients of ``ndtr`` at ``c``: ``ndtr(c)``, then ``phi(c) (-1)^(m-1) He_(m-1)(c) / m!``."""
    he = [1.0, c]
    for n in range(1, CDF_TERMS):
        he.append(c * he[n] - n * he[n - 1])
    phi = math.exp(-c * c / 2.0) / math.sqrt(2.0 * math.pi)
    return [float(ndtr(c))] + [phi * (-1) ** (m - 1) * he[m - 1] / math.factorial(m) for m in range(1, CDF_TERMS)]


def normal_cdf(a: Expr, ctx: Context) -> Expr:
    """``norm.cdf(a)`` within a few 1e-16 absolute; NULL for NULL."""
    count = int(round((CDF_HIGH - CDF_LOW) / CDF_STEP))
    bounds = [CDF_LOW + CDF_STEP * i for i in range(count + 1)]
    centres = tuple(CDF_LOW + CDF_STEP * (i + 0.5) for i in range(count))
    coefs = np.array([_cdf_coefficients(c) for c in centres])
    a = ctx.materialize([a], "cdf_a")[0]
    # piece 1 below the range, 2..count+1 the intervals, count+2 above
    number = ctx.materialize([piecewise(a, bounds, [lit(i + 1) for i in range(count + 2)])], "cdf_k")[0]

    def table(values: Sequence[float], outside: tuple[float, float]) -> Expr:
        full = (outside[0], *values, outside[1])
        return Lookup(number, tuple(float(v) for v in full), piecewise(a, bounds, [lit(float(v)) for v in full]))

    # outside the intervals every coefficient but the first is 0; ``a`` is clipped there so that
    # no power of it can overflow (0 * inf is NaN, and PostgreSQL raises on overflow)
    inside = clip(a, CDF_LOW - 1.0, CDF_HIGH + 1.0)
    h = ctx.materialize([sub(inside, table(centres, (0.0, 0.0)))], "cdf_h")[0]
    terms = [table(coefs[:, m].tolist(), (0.0, 1.0) if m == 0 else (0.0, 0.0)) for m in range(CDF_TERMS)]
    terms = ctx.materialize(terms, "cdf_c")
    h_chunk = ctx.materialize([_power(h, _CHUNK)], "cdf_hn")[0]
    chunks = [terms[i : i + _CHUNK] for i in range(0, CDF_TERMS, _CHUNK)]
    acc: Expr | None = None
    for chunk in reversed(chunks):
        part: Expr = chunk[-1]
        for c in reversed(chunk[:-1]):
            part = add(mul(part, h), c)
        acc = part if acc is None else add(part, mul(h_chunk, acc))
    assert acc is not None
    return acc


def _power(x: Expr, n: int) -> Expr:
    out = x
    for _ in range(n - 1):
        out = mul(out, x)
    return out
