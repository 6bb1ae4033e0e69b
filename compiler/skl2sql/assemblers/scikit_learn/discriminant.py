"""QuadraticDiscriminantAnalysis and NearestCentroid: a score per class, then the label and the
probabilities of the scores.

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

NearestCentroid (``metric`` euclidean or manhattan): with uniform priors ``predict`` is the first
nearest centroid as ``pairwise_distances_argmin`` finds it (euclidean: ``||c_k||^2 - 2 <x, c_k>``,
the row's own norm left out; manhattan: ``sum(|x - c_k|)``); otherwise the first largest
discriminant score. The scores (``_decision_function``, behind ``predict_proba`` and
``decision_function``) divide ``x`` and the centroids by ``within_class_std_dev_`` where it is not
0, take the distance as ``pairwise_distances`` does (euclidean: ``sqrt(max(||x||^2 - 2 <x, c> +
||c||^2, 0))``), square it, and add ``2 log(prior_k)``; probabilities as QDA's. Dot products are
summed left to right: a row whose two nearest centroids are within a few ulps could be labelled
differently.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis
from sklearn.neighbors import NearestCentroid

from ...errors import UnsupportedEstimatorError
from ...ir import Arith, Expr, Func, greatest, lit, mul, safe_exp, sub, total
from ..context import Context
from ..interface import Feature, Prediction, label_literal
from ..registry import register
from ..shared.prep_common import euclidean_distances, fitted_inputs, nearest_scores, wide_argmax

__all__ = ["assemble_qda", "assemble_nearest_centroid"]


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
    return _from_scores(scores, classes, wide_argmax(scores, [label_literal(c) for c in classes], ctx), ctx)


def _from_scores(scores: list[Expr], classes: list[Any], label: Expr, ctx: Context) -> Prediction:
    """``predict_log_proba`` exponentiated (the row's largest score subtracted, then the log of
    the sum of exponentials), and the ``decision_function`` of ``DiscriminantAnalysisPredictionMixin``."""
    top = ctx.materialize([greatest(scores)], "qmax")[0]
    shifted = ctx.materialize([sub(s, top) for s in scores], "qll")
    log_norm = ctx.materialize([Func("ln", (total([safe_exp(s) for s in shifted]),))], "qlse")[0]
    proba = ctx.materialize([safe_exp(sub(s, log_norm)) for s in shifted], "qp")
    decision = (sub(scores[1], scores[0]),) if len(classes) == 2 else tuple(scores)
    return Prediction("classifier", label, tuple(classes), tuple(proba), decision)


@register(NearestCentroid)
def assemble_nearest_centroid(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    metric = est.metric
    if metric not in ("euclidean", "manhattan"):
        raise UnsupportedEstimatorError(f"NearestCentroid(metric={metric!r}) is not supported: euclidean and manhattan are")
    centroids = np.asarray(est.centroids_, dtype=np.float64)
    classes = list(est.classes_)
    labels = [label_literal(c) for c in classes]
    xs = fitted_inputs(est, features, ctx, centroids.shape[1])
    # the discriminant scores, on inputs and centroids divided by the within-class spread
    std = np.asarray(est.within_class_std_dev_, dtype=np.float64)
    mask = std != 0
    scaled = ctx.materialize([Arith("/", x, lit(float(s))) if m else x for x, s, m in zip(xs, std, mask, strict=True)], "ncx")
    centres = centroids.copy()
    centres[:, mask] /= std[mask]
    squared = ctx.materialize(_distances(scaled, centres, metric, ctx, squared=True), "ncd")
    priors = np.asarray(est.class_prior_, dtype=np.float64)
    scores = ctx.materialize(
        [Arith("+", mul(lit(-1.0), d), lit(float(2.0 * np.log(p)))) for d, p in zip(squared, priors, strict=True)], "ncs"
    )
    if np.isclose(priors, 1 / len(classes)).all():
        near = ctx.materialize([mul(lit(-1.0), d) for d in _distances(xs, centroids, metric, ctx, squared=False)], "near")
        label = wide_argmax(near, labels, ctx)
    else:
        label = wide_argmax(scores, labels, ctx)
    if metric != "euclidean":  # sklearn offers predict_proba and decision_function for euclidean only
        return Prediction("classifier", label, tuple(classes))
    return _from_scores(scores, classes, label, ctx)


def _distances(xs: list[Expr], centres: np.ndarray, metric: str, ctx: Context, squared: bool) -> list[Expr]:
    """Per centre: with ``squared`` the distance as ``pairwise_distances`` gives it, squared;
    without, what ``pairwise_distances_argmin`` ranks by (euclidean: ``||c||^2 - 2 <x, c>``)."""
    if metric == "manhattan":
        dist = [total([Func("abs", (sub(x, lit(float(c))),)) for x, c in zip(xs, row, strict=True)]) for row in centres]
    elif not squared:
        return nearest_scores(xs, centres)
    else:
        dist = euclidean_distances(xs, centres, ctx)
    if not squared:
        return dist
    kept = ctx.materialize(dist, "ncd")
    return [Arith("*", d, d) for d in kept]
