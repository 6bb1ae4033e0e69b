"""Clusterers' ``predict``: KMeans, MiniBatchKMeans, BisectingKMeans, MeanShift,
AffinityPropagation and Birch give the index (or label) of the nearest centre.

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

MeanShift, AffinityPropagation and Birch predict with ``pairwise_distances_argmin`` over their
centres (Birch: its subcluster centres, then ``subcluster_labels_``), which ranks by the same
``||c||^2 - 2 <x, c>``. An AffinityPropagation that did not converge has no centres and labels
every row -1 (NULL where a feature is NULL, as sklearn refuses NaN). BisectingKMeans descends its
bisecting tree: at each split the nearer of the two children's centres (plus ``_X_mean`` when
sklearn centred the data), the left one on a tie, down to a leaf's label. Beyond eight centres
the nearest is found by a tournament (:func:`.prep_common.wide_argmax`), linear in the centres.

FeatureAgglomeration's ``transform`` pools each cluster of features: with ``np.mean`` (the
default) sklearn sums a row's features with ``np.bincount`` in feature order and divides by the
cluster's size, which the SQL repeats; ``np.max`` and ``np.min`` are the cluster's extreme. Other
pooling functions are refused. A NULL feature gives a NULL row (sklearn refuses NaN).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.cluster import (
    AffinityPropagation,
    Birch,
    BisectingKMeans,
    FeatureAgglomeration,
    KMeans,
    MeanShift,
    MiniBatchKMeans,
)

from ...errors import UnsupportedEstimatorError
from ...ir import And, Case, Compare, Expr, div, greatest, lit, mul, total
from ..context import Context
from ..interface import Feature, Prediction
from ..registry import register, register_transform
from ..shared.prep_common import all_present, euclidean_distances, fitted_inputs, guard_row, nearest_scores, wide_argmax

__all__ = [
    "assemble_kmeans",
    "kmeans_distances",
    "assemble_nearest_centre",
    "assemble_bisecting_kmeans",
    "assemble_feature_agglomeration",
]


def _centers(est: Any) -> np.ndarray:
    centers = np.asarray(est.cluster_centers_)
    if centers.dtype != np.float64:
        raise UnsupportedEstimatorError(
            f"{type(est).__name__} fitted on {centers.dtype} data predicts in {centers.dtype}; refit it on float64 data"
        )
    return centers


def _nearest(xs: list[Expr], centers: np.ndarray, labels: list[Expr], ctx: Context) -> Expr:
    """The label of the first nearest centre."""
    # the first smallest score is the first largest negated one (negation is exact)
    negated = ctx.materialize([mul(lit(-1.0), s) for s in nearest_scores(xs, centers)], "near")
    return wide_argmax(negated, labels, ctx)


@register(KMeans, MiniBatchKMeans)
def assemble_kmeans(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    centers = _centers(est)
    xs = fitted_inputs(est, features, ctx, centers.shape[1])
    return Prediction("cluster", _nearest(xs, centers, [lit(k) for k in range(len(centers))], ctx))


@register(MeanShift, AffinityPropagation, Birch)
def assemble_nearest_centre(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """``pairwise_distances_argmin`` over the centres (Birch: subcluster centres and labels)."""
    if isinstance(est, Birch):
        centers = np.asarray(est.subcluster_centers_, dtype=np.float64)
        labels: list[Expr] = [lit(int(v)) for v in est.subcluster_labels_]
    elif not hasattr(est, "cluster_centers_"):
        raise UnsupportedEstimatorError(f"{type(est).__name__}(affinity='precomputed') has no predict on features")
    else:
        centers = np.asarray(est.cluster_centers_, dtype=np.float64)
        labels = [lit(k) for k in range(len(centers))]
    xs = fitted_inputs(est, features, ctx, int(est.n_features_in_))
    if len(centers) == 0:  # an AffinityPropagation that did not converge labels every row -1
        return Prediction("cluster", Case(((all_present(xs), lit(-1)),), None))
    return Prediction("cluster", _nearest(xs, centers, labels, ctx))


@register(BisectingKMeans)
def assemble_bisecting_kmeans(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """``_predict_recursive``: the nearer child at every split, the left one on a tie."""
    _centers(est)
    xs = fitted_inputs(est, features, ctx, int(est.n_features_in_))
    offset = np.asarray(getattr(est, "_X_mean", 0.0), dtype=np.float64)

    # one flat WHEN per leaf, the AND of the turns on its path: a nested CASE as deep as the
    # tree would overflow SQLite's parser for a lopsided tree of many clusters
    whens: list[tuple[Expr, Expr]] = []

    def descend(node: Any, path: tuple[Expr, ...]) -> None:
        if node.left is None:
            whens.append((And(path) if len(path) > 1 else path[0], lit(int(node.label))))
            return
        centers = np.vstack((node.left.center, node.right.center)) + offset
        left, right = ctx.materialize(nearest_scores(xs, centers), "split")
        descend(node.left, (*path, Compare("<=", left, right)))
        descend(node.right, (*path, Compare(">", left, right)))

    root = est._bisecting_tree
    if root.left is None:  # one cluster
        return Prediction("cluster", Case(((all_present(xs), lit(int(root.label))),), None))
    descend(root, ())
    return Prediction("cluster", Case(tuple(whens), None))


@register_transform(KMeans, MiniBatchKMeans)
def kmeans_distances(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    """``transform``: the Euclidean distance to each centre, as ``euclidean_distances``."""
    centers = _centers(est)
    xs = fitted_inputs(est, features, ctx, centers.shape[1])
    names = [str(n) for n in est.get_feature_names_out()]
    return [Feature(d, n) for d, n in zip(euclidean_distances(xs, centers, ctx), names, strict=True)]


_POOLING = {np.mean: "mean", np.max: "max", np.min: "min"}


@register(FeatureAgglomeration)
def assemble_feature_agglomeration(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    """One pooled value per cluster of features, clusters in label order."""
    pooling = next((name for fn, name in _POOLING.items() if est.pooling_func is fn), None)
    if pooling is None:
        name = getattr(est.pooling_func, "__name__", repr(est.pooling_func))
        raise UnsupportedEstimatorError(f"FeatureAgglomeration(pooling_func={name}) is not supported: np.mean, np.max, np.min are")
    labels = np.asarray(est.labels_)
    xs = fitted_inputs(est, features, ctx, len(labels))
    values: list[Expr] = []
    for label in np.unique(labels):
        members = [x for x, lab in zip(xs, labels, strict=True) if lab == label]
        if pooling == "mean":
            values.append(div(total(members), lit(float(len(members)))))
        elif pooling == "max":
            values.append(greatest(members))
        else:  # the least is the negated greatest of the negated values (negation is exact)
            values.append(mul(lit(-1.0), greatest([mul(lit(-1.0), m) for m in members])))
    names = [str(n) for n in est.get_feature_names_out()]
    out = guard_row(xs, values, ctx)  # sklearn refuses a row with a NaN anywhere
    return [Feature(v, n) for v, n in zip(out, names, strict=True)]

