"""The inverse standard normal CDF (``scipy.stats.norm.ppf``) as IR arithmetic.

SQL engines have no ``ndtri``; QuantileTransformer(output_distribution='normal') needs one. This is
Wichura's algorithm AS 241 (PPND16, Applied Statistics 37, 1988): three rational approximations
(central region, tails up to ``sqrt(-ln p) <= 5``, far tails) accurate to about 1e-16 relative,
built only from ``+ - * /``, ``ln`` and ``sqrt``. Measured against ``scipy.special.ndtri`` the
largest relative difference is a few 1e-16 (see the tests), far inside the 1e-9 parity tolerance.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..ir import Case, Compare, Expr, Func, add, div, lit, mul, sub
from ..program import Context

__all__ = ["normal_ppf"]

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
