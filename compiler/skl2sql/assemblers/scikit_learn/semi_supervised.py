"""LabelPropagation and LabelSpreading with the ``rbf`` kernel (their default).

sklearn's ``predict_proba`` weighs every training row (labelled or not, ``X_``) by
``rbf_kernel(X_, x, gamma)``, sums the weights into ``label_distributions_`` per class and divides
by the row's total; ``predict`` is the first largest probability. The SQL writes the same sums in
training-row order, one kernel value per training row (a pinned stage, as for the kernel SVMs),
the kernel as ``exp(-gamma * sum((x - v)^2))``: the direct distance where sklearn expands it, a
few ulps apart (the parity tolerance). The probabilities are ratios of weighted sums, so the SQL
takes every weight relative to the row's largest, ``exp(z_i - max z)``: no ``exp`` underflows
(PostgreSQL raises on a subnormal result). Where the largest weight underflows to 0 in NumPy
(below ``ln(2^-1075)``) all of sklearn's weights are 0, its probabilities NaN (NULL here) and its
``argmax`` the first class, which the SQL labels too. Between that and the smallest normal
double (a row some 27 bandwidths from every training row) NumPy's subnormal weights carry few
bits and sklearn's probabilities lose precision that the SQL keeps.

The ``knn`` kernel is refused: which neighbours count for a tied distance depends on sklearn's
search structure (as for the nearest-neighbour models). A NULL feature gives NULL outputs
(sklearn refuses NaN).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.semi_supervised import LabelPropagation, LabelSpreading

from ...errors import UnsupportedEstimatorError
from ...ir import EXP_FLOOR, Case, Compare, Expr, div, lit, mul, safe_exp, sub, total
from ..context import Context
from ..interface import Feature, Prediction, label_literal
from ..registry import register
from ..shared.kernels import squared_gap
from ..shared.prep_common import dense, fitted_inputs, wide_argmax, wide_max

__all__ = ["assemble_label_propagation"]

#: ``ln(2**-1075)``: below it ``numpy.exp`` rounds to 0 (half the smallest subnormal).
_EXP_ZERO = -745.1332191019412


def _term(relative: Expr, weight: Expr, share: float) -> Expr:
    """``weight * share``, or 0 where it would be below ``e^EXP_FLOOR`` (PostgreSQL raises when a
    product underflows; the row's total is at least 1, its nearest training row weighing 1, so
    such a term is nothing at double precision)."""
    least = EXP_FLOOR - math.log(share)
    return Case(((Compare("<", relative, lit(least)), lit(0.0)),), mul(weight, lit(share)))


@register(LabelPropagation, LabelSpreading)
def assemble_label_propagation(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    if est.kernel != "rbf":
        raise UnsupportedEstimatorError(
            f"{type(est).__name__}(kernel={est.kernel!r}) is not supported: only kernel='rbf' "
            "(nearest-neighbour ties depend on sklearn's search structure)"
        )
    train = dense(est.X_)
    distributions = np.asarray(est.label_distributions_, dtype=np.float64)
    xs = fitted_inputs(est, features, ctx, train.shape[1])
    gamma = float(est.gamma)
    exponents = [mul(lit(-gamma), total([squared_gap(x, float(w)) for x, w in zip(xs, v, strict=True)])) for v in train]
    z = ctx.materialize(exponents, "lp_z", pin=True)
    # every weight relative to the row's largest: the probabilities are ratios, and no exp()
    # underflows (PostgreSQL raises on a subnormal result); a weight below e^-700 of the largest
    # changes nothing at double precision
    top = ctx.materialize([wide_max(z, ctx)], "lp_top")[0]
    relative = ctx.materialize([sub(e, top) for e in z], "lp_rel")
    weights = ctx.materialize([safe_exp(r) for r in relative], "lp_k", pin=True)
    sums = ctx.materialize(
        [
            total([_term(r, k, float(d)) for r, k, d in zip(relative, weights, distributions[:, c], strict=True) if d != 0.0] or [lit(0.0)])
            for c in range(distributions.shape[1])
        ],
        "lp_p",
    )
    normalizer = ctx.materialize([total(sums)], "lp_n")[0]
    # NumPy's weights are all 0 (NaN probabilities, first class) when the largest underflows
    seen = Compare(">=", top, lit(_EXP_ZERO))
    probs = ctx.materialize([Case(((seen, div(s, normalizer)),), None) for s in sums], "proba")
    classes = list(est.classes_)
    labels = [label_literal(c) for c in classes]
    label = Case(((Compare("<", top, lit(_EXP_ZERO)), labels[0]),), wide_argmax(probs, labels, ctx))
    return Prediction("classifier", label, tuple(classes), proba=tuple(probs))
