"""QuadraticDiscriminantAnalysis: one quadratic form per class, then softmax-like probabilities.

sklearn (``_decision_function``, ESL eq. 4.12): for class ``k`` with rotation ``R_k`` and scalings
``S_k``, ``z = (x - mean_k) @ (R_k * S_k ** -0.5)``, ``score_k = -0.5 * (sum(z ** 2) + sum(log
S_k)) + log(prior_k)``. ``predict`` takes the first class with the largest score;
``predict_log_proba`` subtracts the row's largest score and then the log of the sum of the
exponentials, and ``predict_proba`` exponentiates that. The SQL writes the same steps, the matrix
``R_k * S_k ** -0.5`` and the constants per class computed by NumPy as sklearn computes them. The
dot products are summed left to right where BLAS may group them otherwise: a few ulps apart.
``decision_function`` (carried for calibration and one-vs-rest) is the score per class, or
``score_1 - score_0`` for two classes, as sklearn returns it. A NULL feature gives NULL outputs
(sklearn refuses NaN).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis

from ..ir import Arith, Expr, Func, argmax, greatest, lit, mul, safe_exp, sub, total
from ..program import Context, Feature, Prediction, label_literal
from .prep_common import fitted_inputs
from .registry import register

__all__ = ["assemble_qda"]


def _norm2(xs: list[Expr], mean: np.ndarray, weights: np.ndarray, ctx: Context) -> Expr:
    """``sum_j z_j ** 2`` with ``z = (x - mean) @ weights``."""
    centred = ctx.materialize([sub(x, lit(float(m))) for x, m in zip(xs, mean, strict=True)], "qc")
    z = ctx.materialize(
        [total([mul(c, lit(float(w))) for c, w in zip(centred, weights[:, j], strict=True)]) for j in range(weights.shape[1])],
        "qz",
    )
    return total([Arith("*", zj, zj) for zj in z])


@register(QuadraticDiscriminantAnalysis)
def assemble_qda(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    classes = list(est.classes_)
    xs = fitted_inputs(est, features, ctx, est.means_.shape[1])
    scores: list[Expr] = []
    for k in range(len(classes)):
        rotation = np.asarray(est.rotations_[k], dtype=np.float64)
        scaling = np.asarray(est.scalings_[k], dtype=np.float64)
        weights = rotation * (scaling ** (-0.5))
        log_det = float(np.sum(np.log(scaling)))
        norm2 = _norm2(xs, np.asarray(est.means_[k], dtype=np.float64), weights, ctx)
        half = mul(lit(-0.5), Arith("+", norm2, lit(log_det)))
        scores.append(Arith("+", half, lit(float(np.log(est.priors_[k])))))
    scores = ctx.materialize(scores, "qda")
    labels = [label_literal(c) for c in classes]
    top = ctx.materialize([greatest(scores)], "qmax")[0]
    shifted = ctx.materialize([sub(s, top) for s in scores], "qll")
    log_norm = ctx.materialize([Func("ln", (total([safe_exp(s) for s in shifted]),))], "qlse")[0]
    proba = ctx.materialize([safe_exp(sub(s, log_norm)) for s in shifted], "qp")
    decision = (sub(scores[1], scores[0]),) if len(classes) == 2 else tuple(scores)
    return Prediction("classifier", argmax(scores, labels), tuple(classes), tuple(proba), decision)
