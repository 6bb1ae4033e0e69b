"""Linear models: regressors, classifiers and their link functions.

Scores are ``intercept + sum(coef_j * x_j)`` written term by term with full-precision constants;
zero coefficients are dropped (sklearn multiplies them by the value, which only matters for NULL:
a NULL feature with a zero weight still yields NULL there, so NULL-propagation is kept by the
input guard below).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.linear_model import LinearRegression, LogisticRegression

from ..errors import UnsupportedEstimatorError
from ..ir import And, Case, Compare, Expr, IsNull, Not, argmax, div, lit, mul, sigmoid, softmax, total
from ..program import Context, Feature, Prediction, label_literal
from .registry import register

__all__ = ["linear_scores", "classifier_from_scores"]


def _all_present(features: Sequence[Feature]) -> Expr:
    """True when every feature is non-NULL."""
    conds = tuple(Not(IsNull(f.expr)) for f in features)
    return And(conds) if len(conds) > 1 else conds[0]


def linear_scores(
    coef: np.ndarray, intercept: Any, features: Sequence[Feature], ctx: Context
) -> list[Expr]:
    """One score per row of ``coef`` (shape (k, n) or (n,)): intercept + coef . x.

    A row whose features include a NULL gets a NULL score, also when that feature's weight is 0."""
    c = np.atleast_2d(np.asarray(coef, dtype=np.float64))
    b = np.broadcast_to(np.asarray(intercept, dtype=np.float64).ravel(), (c.shape[0],)) if np.ndim(intercept) else np.full(c.shape[0], float(intercept))
    xs = [ctx.number(f.expr) for f in features]
    used = np.any(c != 0.0, axis=0)
    scores: list[Expr] = []
    for k in range(c.shape[0]):
        terms: list[Expr] = [mul(lit(float(c[k, j])), xs[j]) for j in range(c.shape[1]) if c[k, j] != 0.0]
        terms.append(lit(float(b[k])))
        scores.append(total(terms))
    unused = [f for f, u in zip(features, used, strict=True) if not u]
    if unused:
        guard = _all_present(unused)
        scores = [Case(((guard, s),), None) for s in scores]
    return scores


def classifier_from_scores(
    scores: list[Expr], classes: Sequence[Any], ctx: Context, proba: str | None
) -> Prediction:
    """Label and probabilities from decision scores, as sklearn's linear classifiers do.

    ``proba``: ``"logistic"`` (binary expit / multinomial softmax), ``"ovr"`` (per-class expit,
    normalised), or None (no predict_proba: decision_function outputs)."""
    labels = [label_literal(c) for c in classes]
    scores = ctx.materialize(scores, "score")
    if len(scores) == 1:
        z = scores[0]
        label: Expr = Case(((Compare(">", z, lit(0.0)), labels[1]), (Compare("<=", z, lit(0.0)), labels[0])), None)
        if proba is None:
            return Prediction("classifier", label, tuple(classes), decision=(z,))
        p1 = ctx.materialize([sigmoid(z)], "proba")[0]
        return Prediction("classifier", label, tuple(classes), proba=(total([lit(1.0), mul(lit(-1.0), p1)]), p1))
    label = argmax(scores, labels)
    if proba is None:
        return Prediction("classifier", label, tuple(classes), decision=tuple(scores))
    if proba == "logistic":
        probs = softmax(scores, ctx.materialize)
    else:
        sig = ctx.materialize([sigmoid(s) for s in scores], "sig")
        denom = ctx.materialize([total(sig)], "den")[0]
        uniform = lit(1.0 / len(sig))
        probs = [Case(((Compare("=", denom, lit(0.0)), uniform),), div(s, denom)) for s in sig]
    return Prediction("classifier", label, tuple(classes), proba=tuple(probs))


@register(LinearRegression)
def assemble_linear_regression(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    if np.ndim(est.coef_) == 2 and np.shape(est.coef_)[0] > 1:
        raise UnsupportedEstimatorError(f"{type(est).__name__} with multiple targets is not supported")
    scores = linear_scores(est.coef_, est.intercept_, features, ctx)
    return Prediction("regressor", scores[0])


@register(LogisticRegression)
def assemble_logistic(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    scores = linear_scores(est.coef_, est.intercept_, features, ctx)
    return classifier_from_scores(scores, list(est.classes_), ctx, "logistic")
