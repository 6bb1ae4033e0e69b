"""KMeans and MiniBatchKMeans: the index of the nearest cluster centre.

sklearn's ``predict`` (``lloyd_iter_chunked_dense`` without updating centres) scores every centre
as ``||c_k||^2 - 2 * <x, c_k>`` (the row's own ``||x||^2`` is the same for every centre and left
out) and takes the first smallest. The SQL writes the same score, ``||c_k||^2`` computed by
NumPy as sklearn computes it; the dot product is summed left to right where sklearn's BLAS may
group it otherwise, so only a row whose two nearest centres are within a few ulps of each other
could be labelled differently. A NULL feature gives a NULL label (sklearn refuses NaN).

``prediction`` is the cluster index (``predict``). As a step inside a pipeline KMeans is its
``transform``, the distance to each centre, which sklearn computes with ``euclidean_distances``:
``sqrt(max(-2 * <x, c_k> + ||x||^2 + ||c_k||^2, 0))`` in that order (not ``sum((x - c)^2)``); the
SQL writes the same steps. The expanded form cancels for a row close to a centre, where sklearn's
own distance is off by up to ``sqrt(eps) * ||x||``; there the SQL's may differ from sklearn's by
as much. Models fitted on float32 data are refused: sklearn then computes in float32.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans

from ..errors import UnsupportedEstimatorError
from ..ir import argmax, lit, mul
from ..program import Context, Feature, Prediction
from .prep_common import euclidean_distances, fitted_inputs, nearest_scores
from .registry import register, register_transform

__all__ = ["assemble_kmeans", "kmeans_distances"]


def _centers(est: Any) -> np.ndarray:
    centers = np.asarray(est.cluster_centers_)
    if centers.dtype != np.float64:
        raise UnsupportedEstimatorError(
            f"{type(est).__name__} fitted on {centers.dtype} data predicts in {centers.dtype}; refit it on float64 data"
        )
    return centers


@register(KMeans, MiniBatchKMeans)
def assemble_kmeans(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    centers = _centers(est)
    xs = fitted_inputs(est, features, ctx, centers.shape[1])
    scores = nearest_scores(xs, centers)
    # the first smallest score is the first largest negated one (negation is exact)
    negated = ctx.materialize([mul(lit(-1.0), s) for s in scores], "near")
    label = argmax(negated, [lit(k) for k in range(len(scores))])
    return Prediction("cluster", label)


@register_transform(KMeans, MiniBatchKMeans)
def kmeans_distances(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    """``transform``: the Euclidean distance to each centre, as ``euclidean_distances``."""
    centers = _centers(est)
    xs = fitted_inputs(est, features, ctx, centers.shape[1])
    names = [str(n) for n in est.get_feature_names_out()]
    return [Feature(d, n) for d, n in zip(euclidean_distances(xs, centers, ctx), names, strict=True)]
