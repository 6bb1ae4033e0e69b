"""Feature expansions: PolynomialFeatures, KBinsDiscretizer (SplineTransformer in :mod:`.splines`).

All three refuse NaN in sklearn (``Input contains NaN``), so a row with a NULL in any input column
is NULL in every output.

- PolynomialFeatures: sklearn builds a degree-d term as ``x_i * (term of degree d-1 over features
  >= i)``; the SQL multiplies in exactly that order (float multiplication is not associative) and
  computes each shared lower-degree term once. Output order is ``powers_``.
- KBinsDiscretizer: ``np.searchsorted(bin_edges[1:-1], x, side='right')``, i.e. the number of inner
  edges ``<= x`` (a value exactly on an edge goes to the upper bin); onehot encodings compare
  that bin number.
"""

from __future__ import annotations

from itertools import combinations, combinations_with_replacement

import numpy as np
from sklearn.preprocessing import KBinsDiscretizer, PolynomialFeatures

from ..errors import UnsupportedEstimatorError
from ..ir import Arith, Compare, Expr, IsNull, Not, case, lit
from ..program import Context, Feature
from .prep_common import guard_row
from .registry import register

__all__ = ["assemble_polynomial_features", "assemble_kbins_discretizer"]


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
