"""Feature expansions: PolynomialFeatures, KBinsDiscretizer, SplineTransformer.

All three refuse NaN in sklearn (``Input contains NaN``), so a row with a NULL in any input column
is NULL in every output.

- PolynomialFeatures: sklearn builds a degree-d term as ``x_i * (term of degree d-1 over features
  >= i)``; the SQL multiplies in exactly that order (float multiplication is not associative) and
  computes each shared lower-degree term once. Output order is ``powers_``.
- KBinsDiscretizer: ``np.searchsorted(bin_edges[1:-1], x, side='right')``, i.e. the number of inner
  edges ``<= x`` (a value exactly on an edge goes to the upper bin); onehot encodings compare
  that bin number.
- SplineTransformer: each output column becomes, at compile time, one polynomial per knot interval
  in the local coordinate ``x - t_i`` (``PPoly.from_spline``), evaluated by Horner's rule in a CASE
  on the interval; sklearn's extrapolation rules (and its degree-1 'linear' quirk) are mirrored.
"""

from __future__ import annotations

from itertools import combinations, combinations_with_replacement

import numpy as np
from scipy.interpolate import BSpline, PPoly
from sklearn.preprocessing import KBinsDiscretizer, PolynomialFeatures, SplineTransformer

from ...errors import UnsupportedEstimatorError
from ...ir import And, Arith, Compare, Expr, Func, IsNull, Not, add, case, div, lit, mul, sub
from ..context import Context
from ..interface import Feature
from ..registry import register
from ..shared.prep_common import guard_row

__all__ = ["assemble_polynomial_features", "assemble_kbins_discretizer", "assemble_spline_transformer"]


def _names_out(est: object, default: list[str]) -> list[str]:
    try:
        names = [str(n) for n in est.get_feature_names_out()]  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - names are cosmetic; sklearn raises several types here
        return default
    return names if len(names) == len(default) else default


@register(PolynomialFeatures)
def assemble_polynomial_features(est: PolynomialFeatures, features: list[Feature], ctx: Context) -> list[Feature]:
    n = len(features)
    xs = ctx.materialize([ctx.number(f.expr) for f in features], "px")
    min_deg, max_deg = int(est._min_degree), int(est._max_degree)
    comb = combinations if est.interaction_only else combinations_with_replacement
    combos: list[tuple[int, ...]] = []
    if est.include_bias:
        combos.append(())
    for d in range(max(1, min_deg), max_deg + 1):
        combos.extend(comb(range(n), d))
    powers = np.zeros((len(combos), n), dtype=int)
    for r, c in enumerate(combos):
        for i in c:
            powers[r, i] += 1
    if not np.array_equal(powers, est.powers_):
        raise UnsupportedEstimatorError("PolynomialFeatures: unexpected powers_ layout in this scikit-learn version")
    terms: dict[tuple[int, ...], Expr] = {}

    def term(c: tuple[int, ...]) -> Expr:
        if len(c) == 1:
            return xs[c[0]]
        if c not in terms:
            # x_{c0} * (x_{c1} * ...): the order in which sklearn's loop multiplies.
            terms[c] = ctx.materialize([Arith("*", term(c[1:]), xs[c[0]])], "poly")[0]
        return terms[c]

    outs: list[Expr] = [lit(1.0) if not c else term(c) for c in combos]
    guarded = guard_row(xs, outs, ctx)
    default = [f"x{r}" for r in range(len(combos))]
    return [Feature(e, nm) for e, nm in zip(guarded, _names_out(est, default), strict=True)]


@register(KBinsDiscretizer)
def assemble_kbins_discretizer(est: KBinsDiscretizer, features: list[Feature], ctx: Context) -> list[Feature]:
    if est.dtype is not None and np.dtype(est.dtype) != np.float64:
        raise UnsupportedEstimatorError(
            f"KBinsDiscretizer(dtype={est.dtype!r}) is not supported: bins are compared in float64"
        )
    xs = ctx.materialize([ctx.number(f.expr) for f in features], "kx")
    bins: list[Expr] = []
    for x, edges in zip(xs, est.bin_edges_, strict=True):
        inner = np.asarray(edges, dtype=np.float64)[1:-1]
        whens: list[tuple[Expr, Expr]] = [
            (Compare(">=", x, lit(float(e))), lit(float(k + 1))) for k, e in reversed(list(enumerate(inner)))
        ]
        whens.append((Not(IsNull(x)), lit(0.0)))
        bins.append(case(whens, None))
    if est.encode == "ordinal":
        outs = guard_row(xs, bins, ctx)
        return [Feature(e, f.name) for e, f in zip(outs, features, strict=True)]
    if est.encode not in ("onehot", "onehot-dense"):
        raise UnsupportedEstimatorError(f"KBinsDiscretizer(encode={est.encode!r}) is not supported")
    bins = ctx.materialize(bins, "kbin")
    onehot: list[Expr] = []
    default: list[str] = []
    for b, f, nb in zip(bins, features, est.n_bins_, strict=True):
        for k in range(int(nb)):
            onehot.append(case([(Compare("=", b, lit(float(k))), lit(1.0))], lit(0.0)))
            default.append(f"{f.name}_{k}")
    outs = guard_row(xs, onehot, ctx)
    return [Feature(e, nm) for e, nm in zip(outs, _names_out(est, default), strict=True)]


# --- SplineTransformer --------------------------------------------------------------------------


def _pieces(t: np.ndarray, coef: np.ndarray, k: int) -> list[tuple[float, np.ndarray]]:
    """The B-spline ``BSpline(t, coef, k)`` as polynomial pieces on its non-empty knot intervals
    ``[t_k, t_n]``: (left breakpoint, coefficients of ``(x - left)^(k..0)``).

    The local (shifted) power basis per interval avoids the cancellation of a global monomial
    form: ``dx = x - left`` is small, so Horner's rule stays within a few ulps of SciPy's de Boor
    evaluation."""
    pp = PPoly.from_spline(BSpline(t, coef, k, extrapolate=True))
    n = len(t) - k - 1
    lo, hi = float(t[k]), float(t[n])
    out: list[tuple[float, np.ndarray]] = []
    for i in range(len(pp.x) - 1):
        a, b = float(pp.x[i]), float(pp.x[i + 1])
        if b > a and a >= lo and b <= hi:
            out.append((a, np.asarray(pp.c[:, i], dtype=np.float64)))
    return out


def _horner(coefs: np.ndarray, dx: Expr) -> Expr:
    acc: Expr = lit(float(coefs[0]))
    for c in coefs[1:]:
        acc = add(mul(acc, dx), lit(float(c)))
    return acc


def _spline_value(x: Expr, pieces: list[tuple[float, np.ndarray]], ctx: Context) -> Expr:
    """CASE on the knot interval, the first piece extended to the left and the last to the right
    (SciPy's ``extrapolate=True``)."""
    whens: list[tuple[Expr, Expr]] = []
    for i, (left, coefs) in enumerate(pieces):
        value = _horner(coefs, sub(x, lit(left)))
        if i + 1 < len(pieces):
            whens.append((Compare("<", x, lit(pieces[i + 1][0])), value))
        else:
            whens.append((Not(IsNull(x)), value))
    return case(whens, None)


@register(SplineTransformer)
def assemble_spline_transformer(est: SplineTransformer, features: list[Feature], ctx: Context) -> list[Feature]:
    degree = int(est.degree)
    handle_missing = getattr(est, "handle_missing", "error")
    xs = ctx.materialize([ctx.number(f.expr) for f in features], "sx")
    outs: list[Expr] = []
    in_range: list[Expr] = []
    for x, spl in zip(xs, est.bsplines_, strict=True):
        t = np.asarray(spl.t, dtype=np.float64)
        k = int(spl.k)
        c = np.asarray(spl.c, dtype=np.float64)
        n_splines = c.shape[1]
        xmin, xmax = float(t[degree]), float(t[-degree - 1])
        if est.extrapolation == "periodic":
            n = t.size - k - 1
            period = float(t[n] - t[k])
            if period > 0:
                d = ctx.materialize([sub(x, lit(float(t[k])))], "sd")[0]
                wrapped = add(lit(float(t[k])), sub(d, mul(Func("floor", (div(d, lit(period)),)), lit(period))))
            else:
                wrapped = case([(Not(IsNull(x)), lit(0.0))], None)
            xe = ctx.materialize([wrapped], "sw")[0]
        else:
            xe = x
        fmin = np.asarray(spl(xmin), dtype=np.float64)
        fmax = np.asarray(spl(xmax), dtype=np.float64)
        if est.extrapolation == "linear":
            dmin = np.asarray(spl(xmin, nu=1), dtype=np.float64)
            dmax = np.asarray(spl(xmax, nu=1), dtype=np.float64)
            # sklearn does ``if degree <= 1: degree += 1`` inside its per-feature loop, so with
            # degree 1 every later feature uses degree 2 (knot range included): mirrored here.
            if degree <= 1:
                degree += 1
            deg2 = degree
        if est.extrapolation == "error":
            in_range.append(And((Compare(">=", x, lit(xmin)), Compare("<=", x, lit(xmax)))))
        for j in range(n_splines):
            if not est.include_bias and j == n_splines - 1:
                continue
            value = _spline_value(xe, _pieces(t, c[:, j], k), ctx)
            if est.extrapolation in ("constant", "linear"):
                below: Expr = lit(0.0)
                above: Expr = lit(0.0)
                if est.extrapolation == "constant":
                    if j < degree:
                        below = lit(float(fmin[j]))
                    if j >= n_splines - degree:
                        above = lit(float(fmax[j]))
                else:
                    if j < deg2:
                        below = add(lit(float(fmin[j])), Arith("*", sub(x, lit(xmin)), lit(float(dmin[j]))))
                    if j >= n_splines - deg2:
                        above = add(lit(float(fmax[j])), Arith("*", sub(x, lit(xmax)), lit(float(dmax[j]))))
                value = case([(Compare("<", x, lit(xmin)), below), (Compare(">", x, lit(xmax)), above)], value)
            if handle_missing == "zeros":
                value = case([(IsNull(x), lit(0.0))], value)
            outs.append(value)
    guard_inputs = xs if handle_missing != "zeros" else []
    extra: Expr | None = None
    if in_range:
        extra = And(tuple(in_range)) if len(in_range) > 1 else in_range[0]
    if guard_inputs or extra is not None:
        outs = guard_row(guard_inputs, outs, ctx, extra=extra)
    default = [f"x{r}" for r in range(len(outs))]
    return [Feature(e, nm) for e, nm in zip(outs, _names_out(est, default), strict=True)]
