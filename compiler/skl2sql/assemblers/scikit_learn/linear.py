"""Linear models: regressors, classifiers, GLMs and their link functions.

Scores are ``intercept + sum(coef_j * x_j)`` written term by term with full-precision constants
(sklearn computes ``X @ coef_.T + intercept_``; the summation order differs from BLAS by a few ulps,
far inside the 1e-9 tolerance). Zero coefficients are dropped, but a NULL in such a feature still
makes the score NULL (sklearn refuses NaN in every one of these models), see :func:`linear_scores`.

Classifiers follow ``LinearClassifierMixin``: binary ``predict`` is ``classes_[decision > 0]``,
multiclass is ``classes_[argmax(decision)]`` with NumPy's first-wins ties. Every classifier
Prediction carries its decision scores, also when it has ``predict_proba``, because meta-estimators
(one-vs-rest, stacking) need ``decision_function`` of their base estimators.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.cross_decomposition import PLSRegression
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import (
    ARDRegression,
    BayesianRidge,
    ElasticNet,
    ElasticNetCV,
    GammaRegressor,
    HuberRegressor,
    Lars,
    LarsCV,
    Lasso,
    LassoCV,
    LassoLars,
    LassoLarsCV,
    LassoLarsIC,
    LinearRegression,
    LogisticRegression,
    LogisticRegressionCV,
    MultiTaskElasticNet,
    MultiTaskElasticNetCV,
    MultiTaskLasso,
    MultiTaskLassoCV,
    OrthogonalMatchingPursuit,
    OrthogonalMatchingPursuitCV,
    PassiveAggressiveClassifier,
    PassiveAggressiveRegressor,
    Perceptron,
    PoissonRegressor,
    QuantileRegressor,
    Ridge,
    RidgeClassifier,
    RidgeClassifierCV,
    RidgeCV,
    SGDClassifier,
    SGDOneClassSVM,
    SGDRegressor,
    TheilSenRegressor,
    TweedieRegressor,
)
from sklearn.svm import LinearSVC, LinearSVR

from ...errors import UnsupportedEstimatorError
from ...ir import (
    Arith,
    Case,
    Compare,
    Expr,
    clip,
    div,
    lit,
    sigmoid,
    softmax,
    sub,
    total,
)
from ..context import Context
from ..interface import Feature, Prediction, label_literal, several
from ..registry import register
from ..shared.one_hot import OneHotFolding
from ..shared.prep_common import all_present, exp_or_null, wide_argmax

__all__ = [
    "linear_scores",
    "classifier_from_scores",
    "REGRESSORS",
    "CLASSIFIERS",
]


def linear_scores(
    coef: np.ndarray, intercept: Any, features: Sequence[Feature], ctx: Context
) -> list[Expr]:
    """One score per row of ``coef`` (shape (k, n) or (n,)): intercept + coef . x.

    A row whose features include a NULL gets a NULL score, also when that feature's weight is 0."""
    c = np.atleast_2d(np.asarray(coef, dtype=np.float64))
    if c.shape[1] != len(features):
        raise UnsupportedEstimatorError(
            f"linear model expects {c.shape[1]} features but {len(features)} reach it"
        )
    if np.ndim(intercept):
        b = np.broadcast_to(np.asarray(intercept, dtype=np.float64).ravel(), (c.shape[0],))
    else:
        b = np.full(c.shape[0], float(intercept))
    xs = [ctx.number(f.expr) for f in features]
    used = np.any(c != 0.0, axis=0)
    folding = OneHotFolding(xs, ctx)
    scores: list[Expr] = []
    for k in range(c.shape[0]):
        scores.append(total([*folding.weighted_terms(c[k]), lit(float(b[k]))]))
    unused = [f for f, u in zip(features, used, strict=True) if not u]
    if unused:
        guard = all_present([f.expr for f in unused])
        scores = [Case(((guard, s),), None) for s in scores]
    return scores


def _binary_label(z: Expr, labels: Sequence[Expr]) -> Expr:
    """``classes_[int(z > 0)]``; NULL when ``z`` is NULL."""
    return Case(((Compare(">", z, lit(0.0)), labels[1]), (Compare("<=", z, lit(0.0)), labels[0])), None)


def _modified_huber(scores: list[Expr], ctx: Context) -> list[Expr]:
    """``SGDClassifier(loss='modified_huber').predict_proba``: ``(clip(s, -1, 1) + 1) / 2``; binary
    gives ``[1 - p, p]``; multiclass divides by the row sum, and a row summing to 0 (every score
    <= -1) is uniform, as sklearn special-cases it."""
    ps = ctx.materialize([div(total([clip(s, -1.0, 1.0), lit(1.0)]), lit(2.0)) for s in scores], "mh")
    if len(ps) == 1:
        return [sub(lit(1.0), ps[0]), ps[0]]
    denom = ctx.materialize([total(ps)], "den")[0]
    uniform = lit(1.0 / len(ps))
    return [Case(((Compare("=", denom, lit(0.0)), uniform),), div(p, denom)) for p in ps]


def classifier_from_scores(
    scores: list[Expr], classes: Sequence[Any], ctx: Context, proba: str | None
) -> Prediction:
    """Label, probabilities and decision scores, as sklearn's linear classifiers compute them.

    ``proba``: ``"logistic"`` (binary expit / multinomial softmax: ``LogisticRegression``),
    ``"ovr"`` (per-class expit normalised by the row sum, uniform when the sum is 0:
    ``_predict_proba_lr``), ``"modified_huber"``, or None (no predict_proba)."""
    labels = [label_literal(c) for c in classes]
    scores = ctx.materialize(scores, "score")
    decision = tuple(scores)
    if len(scores) == 1:
        z = scores[0]
        label: Expr = _binary_label(z, labels)
        if proba is None:
            return Prediction("classifier", label, tuple(classes), decision=decision)
        if proba == "modified_huber":
            return Prediction("classifier", label, tuple(classes), tuple(_modified_huber(scores, ctx)), decision)
        p1 = ctx.materialize([sigmoid(z)], "proba")[0]
        return Prediction("classifier", label, tuple(classes), (sub(lit(1.0), p1), p1), decision)
    label = wide_argmax(scores, labels, ctx)
    if proba is None:
        return Prediction("classifier", label, tuple(classes), decision=decision)
    if proba == "logistic":
        probs = softmax(scores, ctx.materialize)
    elif proba == "modified_huber":
        probs = _modified_huber(scores, ctx)
    else:
        sig = ctx.materialize([sigmoid(s) for s in scores], "sig")
        denom = ctx.materialize([total(sig)], "den")[0]
        uniform = lit(1.0 / len(sig))
        probs = [Case(((Compare("=", denom, lit(0.0)), uniform),), div(s, denom)) for s in sig]
    return Prediction("classifier", label, tuple(classes), tuple(probs), decision)


def _single_target_coef(est: Any) -> np.ndarray:
    """``coef_`` of a single-target regressor; 2-D ``coef_`` with several rows is multi-output."""
    coef = np.asarray(est.coef_, dtype=np.float64)
    if coef.ndim == 2 and coef.shape[0] != 1:
        raise UnsupportedEstimatorError(
            f"{type(est).__name__} with {coef.shape[0]} targets (2-D coef_) is not supported: "
            "skl2sql compiles single-output regressors only"
        )
    return coef.reshape(-1)


#: Regressors whose ``predict`` is ``X @ coef_ + intercept_`` (``LinearModel._decision_function``).
REGRESSORS: tuple[type, ...] = (
    LinearRegression,
    MultiTaskLasso,
    MultiTaskLassoCV,
    MultiTaskElasticNet,
    MultiTaskElasticNetCV,
    Ridge,
    RidgeCV,
    Lasso,
    LassoCV,
    ElasticNet,
    ElasticNetCV,
    Lars,
    LarsCV,
    LassoLars,
    LassoLarsCV,
    LassoLarsIC,
    OrthogonalMatchingPursuit,
    OrthogonalMatchingPursuitCV,
    BayesianRidge,
    ARDRegression,
    HuberRegressor,
    QuantileRegressor,
    TheilSenRegressor,
    SGDRegressor,
    PassiveAggressiveRegressor,
    LinearSVR,
)


def _regression(scores: list[Expr]) -> Prediction:
    """One regressor prediction, or one per target (multi-target ``coef_``: ``predict`` gives a
    column per row of ``coef_``)."""
    return several([Prediction("regressor", s) for s in scores])


@register(*REGRESSORS)
def assemble_linear_regressor(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    return _regression(linear_scores(est.coef_, est.intercept_, features, ctx))


def _glm_link(est: Any) -> str:
    """``"identity"`` or ``"log"``, as ``_GeneralizedLinearRegressor._get_loss`` picks it."""
    if isinstance(est, (PoissonRegressor, GammaRegressor)):
        return "log"
    link = str(est.link)
    if link == "auto":
        return "identity" if float(est.power) <= 0 else "log"
    if link in ("identity", "log"):
        return link
    raise UnsupportedEstimatorError(f"{type(est).__name__} with link={link!r} is not supported")


@register(PLSRegression)
def assemble_pls_regression(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """``(X - _x_mean) @ coef_.T + intercept_`` (sklearn centres X but does not scale it: the
    scaling is folded into ``coef_``)."""
    mean = np.asarray(est._x_mean, dtype=np.float64)
    if len(mean) != len(features):
        raise UnsupportedEstimatorError(f"PLSRegression was fitted on {len(mean)} features, got {len(features)}")
    centred = [Feature(sub(ctx.number(f.expr), lit(float(m))), f.name) for f, m in zip(features, mean, strict=True)]
    return _regression(linear_scores(est.coef_, est.intercept_, centred, ctx))


@register(PoissonRegressor, GammaRegressor, TweedieRegressor)
def assemble_glm(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """``link.inverse(X @ coef_ + intercept_)``. The log link's ``exp`` is NULL where NumPy would
    return ``inf`` (score above ~709.78), since SQL engines raise on overflow."""
    z = linear_scores(_single_target_coef(est), est.intercept_, features, ctx)[0]
    if _glm_link(est) == "identity":
        return Prediction("regressor", z)
    z = ctx.materialize([z], "eta")[0]
    return Prediction("regressor", exp_or_null(z))


def _classes(est: Any) -> list[Any]:
    return list(est.classes_)


def _check_not_multilabel(est: Any) -> None:
    lb = getattr(est, "_label_binarizer", None)
    y_type = str(getattr(lb, "y_type_", ""))
    if y_type.startswith("multilabel"):
        raise UnsupportedEstimatorError(f"{type(est).__name__} fitted on multilabel targets is not supported")


@register(LogisticRegression, LogisticRegressionCV)
def assemble_logistic(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """Binary: expit of the decision; multiclass: softmax (sklearn >= 1.7 has no OvR mode; an
    older estimator fitted with ``multi_class='ovr'`` uses the OvR normalisation)."""
    scores = linear_scores(est.coef_, est.intercept_, features, ctx)
    ovr = getattr(est, "multi_class", "auto") == "ovr" or (
        getattr(est, "multi_class", "deprecated") == "auto" and getattr(est, "solver", "") == "liblinear"
    )
    return classifier_from_scores(scores, _classes(est), ctx, "ovr" if ovr and len(scores) > 1 else "logistic")


@register(LinearDiscriminantAnalysis)
def assemble_lda(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """LinearDiscriminantAnalysis as a classifier: ``decision_function = X @ coef_.T +
    intercept_``, probabilities by expit (two classes) or softmax, as LogisticRegression. (Its
    ``transform``, where LDA is a pipeline step, is in :mod:`.decomposition`.)"""
    scores = linear_scores(est.coef_, est.intercept_, features, ctx)
    return classifier_from_scores(scores, _classes(est), ctx, "logistic")


@register(SGDClassifier)
def assemble_sgd_classifier(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """``log_loss``: ``_predict_proba_lr`` (OvR normalised); ``modified_huber``: its own formula;
    any other loss has no predict_proba and outputs the decision function."""
    scores = linear_scores(est.coef_, est.intercept_, features, ctx)
    proba = {"log_loss": "ovr", "modified_huber": "modified_huber"}.get(str(est.loss))
    return classifier_from_scores(scores, _classes(est), ctx, proba)


#: Classifiers without predict_proba: ``decision_function`` columns and the label.
CLASSIFIERS: tuple[type, ...] = (
    RidgeClassifier,
    RidgeClassifierCV,
    Perceptron,
    PassiveAggressiveClassifier,
    LinearSVC,
)


@register(*CLASSIFIERS)
def assemble_margin_classifier(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """RidgeClassifier fits on ±1 targets; binary ``predict`` is still ``decision > 0``."""
    _check_not_multilabel(est)
    scores = linear_scores(est.coef_, est.intercept_, features, ctx)
    return classifier_from_scores(scores, _classes(est), ctx, None)


@register(SGDOneClassSVM)
def assemble_sgd_one_class_svm(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """``decision_function = x @ coef_ - offset_`` (adding ``-offset_`` is the same IEEE
    operation), ``score_samples = decision + offset_``, ``prediction`` 1 where the decision is
    ``>= 0``, else -1."""
    offset = float(np.asarray(est.offset_).reshape(-1)[0])
    decision = ctx.materialize(linear_scores(est.coef_, -offset, features, ctx), "dec")[0]
    label = Case(((Compare(">=", decision, lit(0.0)), lit(1)), (Compare("<", decision, lit(0.0)), lit(-1))), None)
    return Prediction("outlier", label, decision=(decision,), extra=(("score_samples", Arith("+", decision, lit(offset))),))
