"""Bagging and IsolationForest.

- Bagging: each base estimator reads its column subset (``estimators_features_``, with repeats
  under ``bootstrap_features``) and is compiled through the registry, so any supported base works.
  Classifier probabilities are the mean of the bases' ``predict_proba`` (mapped onto the ensemble's
  classes when a bootstrap sample missed a class) or, for bases without ``predict_proba``, vote
  fractions; sums run in estimator order, as sklearn's loop.
- IsolationForest: per tree, the leaf's depth plus the average path length of its training samples
  minus one (a per-leaf constant computed with sklearn's own arrays), summed in tree order;
  ``score_samples = -2 ** (-depths / (n_trees * c(max_samples)))``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import BaggingClassifier, BaggingRegressor, IsolationForest
from sklearn.pipeline import FeatureUnion, Pipeline

from ...ir import Case, Compare, Expr, Func, div, lit, mul, sub
from ..context import Context
from ..interface import Feature, Prediction, label_literal
from ..registry import predict as predict_sub
from ..registry import register
from ..shared.prep_common import wide_argmax
from .trees import running_sum, sklearn_tree_exprs, tree_inputs

__all__ = ["assemble_bagging_classifier", "assemble_bagging_regressor", "assemble_isolation_forest"]


def _numbered(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    """Features cast once (a single pinned stage), shared by every base estimator. Every base
    estimator validates its input and refuses infinity (bagging itself does not), so the
    columns are recorded as finite-only (``Context.number``).

    A base that is a pipeline or column transformer gets the columns as they are: Bagging hands
    ``X`` over unconverted (its validation keeps ``dtype=None``), so such a base may start with
    an encoder reading text, and its own steps read numbers where they need them."""
    if isinstance(est.estimator_, (Pipeline, ColumnTransformer, FeatureUnion)):
        return features
    xs = tree_inputs(features, ctx, finite=True)
    return [Feature(x, f.name) for x, f in zip(xs, features, strict=True)]


def _subset(features: list[Feature], idx: Any) -> list[Feature]:
    return [features[int(i)] for i in idx]


@register(BaggingClassifier)
def assemble_bagging_classifier(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    feats = _numbered(est, features, ctx)
    classes = list(est.classes_)
    k = len(classes)
    per_est: list[list[Expr]] = []
    decisions: list[tuple[Expr, ...] | None] = []
    for sub_est, idx in zip(est.estimators_, est.estimators_features_, strict=True):
        p = predict_sub(sub_est, _subset(feats, idx), ctx)
        decisions.append(p.decision)
        sub_classes = [int(c) for c in sub_est.classes_]  # bases are fitted on encoded labels
        if p.proba is not None:
            if len(sub_classes) == k:
                per_est.append(list(p.proba))
            else:
                row: list[Expr] = [lit(0.0)] * k
                for j, c in enumerate(sub_classes):
                    row[c] = p.proba[j]
                per_est.append(row)
        else:
            vote = ctx.materialize([p.value], "vote")[0]
            per_est.append([Case(((Compare("=", vote, lit(c)), lit(1.0)),), lit(0.0)) for c in range(k)])
    sums = running_sum(per_est, ctx, None, "proba")
    probs = ctx.materialize([div(s, lit(float(est.n_estimators))) for s in sums], "proba")
    label = wide_argmax(probs, [label_literal(c) for c in classes], ctx)
    return Prediction("classifier", label, tuple(classes), tuple(probs), _mean_decision(decisions, k, ctx, est))


def _mean_decision(decisions: list[tuple[Expr, ...] | None], k: int, ctx: Context, est: Any) -> tuple[Expr, ...] | None:
    """``decision_function`` of the ensemble: the bases' decision functions summed in estimator
    order, divided by ``n_estimators`` (sklearn's ``_parallel_decision_function``). None unless
    every base has one of the ensemble's width (sklearn offers none, or fails, otherwise)."""
    width = 1 if k == 2 else k
    if not decisions or any(d is None or len(d) != width for d in decisions):
        return None
    sums = running_sum([list(d) for d in decisions if d is not None], ctx, None, "decision")
    return tuple(ctx.materialize([div(s, lit(float(est.n_estimators))) for s in sums], "decision"))


@register(BaggingRegressor)
def assemble_bagging_regressor(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    feats = _numbered(est, features, ctx)
    per_est = [
        [predict_sub(sub_est, _subset(feats, idx), ctx).value]
        for sub_est, idx in zip(est.estimators_, est.estimators_features_, strict=True)
    ]
    s = running_sum(per_est, ctx, None, "pred")[0]
    return Prediction("regressor", div(s, lit(float(est.n_estimators))))


@register(IsolationForest)
def assemble_isolation_forest(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    xs = tree_inputs(features, ctx)
    subsample = est._max_features != len(features)
    per_tree: list[list[Expr]] = []
    for t, idx, depth, avg in zip(
        est.estimators_,
        est.estimators_features_,
        est._decision_path_lengths,
        est._average_path_length_per_tree,
        strict=True,
    ):
        txs = [xs[int(i)] for i in idx] if subsample else xs
        leaf = np.asarray(depth, dtype=np.float64) + np.asarray(avg, dtype=np.float64) - 1.0
        per_tree.append(sklearn_tree_exprs(t.tree_, txs, leaf))
    from sklearn.ensemble._iforest import _average_path_length

    depths = running_sum(per_tree, ctx, None, "depth")[0]
    denominator = float(len(est.estimators_) * _average_path_length([est._max_samples])[0])
    if denominator != 0.0:
        scores: Expr = Func("power", (lit(2.0), mul(lit(-1.0), div(depths, lit(denominator)))))
    else:
        scores = lit(0.5)  # 2 ** -1: sklearn sets depth/denominator to 1 for a single sample
    score_samples = ctx.materialize([mul(lit(-1.0), scores)], "score")[0]
    decision = ctx.materialize([sub(score_samples, lit(float(est.offset_)))], "decision")[0]
    label = Case(((Compare("<", decision, lit(0.0)), lit(-1)), (Compare(">=", decision, lit(0.0)), lit(1))), None)
    return Prediction("outlier", label, decision=(decision,), extra=(("score_samples", score_samples),))
