"""Meta-estimators over any supported predictor: OneVsRestClassifier, OutputCodeClassifier,
TransformedTargetRegressor, Voting and Stacking.

Each is written on top of :func:`~skl2sql.assemblers.registry.predict`, so it composes with every
registered base estimator (linear models, trees, boosters, pipelines...). The semantics are
sklearn's own, read from ``sklearn/multiclass.py``, ``compose/_target.py`` and
``ensemble/_voting.py`` / ``_stacking.py``:

- sub-predictions are materialized, since the label, probabilities and guards all read them;
- a NULL from a base estimator means sklearn refuses the row, so it must reach every output:
  CASE expressions here always say what a NULL condition gives instead of falling through to ELSE.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import is_classifier, is_regressor
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import StackingClassifier, StackingRegressor, VotingClassifier, VotingRegressor
from sklearn.linear_model import RANSACRegressor
from sklearn.multiclass import OneVsRestClassifier, OutputCodeClassifier, _ConstantPredictor

from ...errors import UnsupportedEstimatorError
from ...ir import (
    Case,
    Cast,
    Compare,
    Expr,
    div,
    lit,
    mul,
    sub,
    total,
)
from ..context import Context
from ..interface import Feature, Prediction, label_literal
from ..registry import inverse_transform, predict, register
from ..shared.prep_common import all_present, nearest_scores, wide_argmax

__all__ = [
    "assemble_one_vs_rest",
    "assemble_output_code",
    "assemble_constant_predictor",
    "assemble_transformed_target",
    "assemble_ransac",
    "assemble_voting_classifier",
    "assemble_voting_regressor",
    "assemble_stacking",
]


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _name(est: Any) -> str:
    return type(est).__name__


def _guard(cond: Expr, e: Expr) -> Expr:
    """``e`` where ``cond`` is true, else NULL."""
    return Case(((cond, e),), None)


def _sub_prediction(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    return ctx.materialize_prediction(predict(est, features, ctx))


def _positive_column(owner: Any, est: Any, p: Prediction, what: str) -> Expr:
    """Column 1 of ``p.proba`` (the positive class of a binary sub-estimator)."""
    if p.proba is None or len(p.proba) != 2:
        raise UnsupportedEstimatorError(
            f"{_name(owner)}: the compiled {_name(est)} gives no two-class predict_proba, needed for {what}"
        )
    return p.proba[1]


def _decision(owner: Any, est: Any, p: Prediction) -> tuple[Expr, ...]:
    if p.decision is None:
        raise UnsupportedEstimatorError(
            f"{_name(owner)}: decision_function of {_name(est)} is not available in its compiled form"
        )
    return p.decision


def _label_of_index(value: Expr, n: int, classes: Sequence[Any]) -> Expr:
    """``classes[value]`` for an integer-valued expression (``LabelEncoder.inverse_transform``)."""
    return Case(tuple((Compare("=", value, lit(i)), label_literal(classes[i])) for i in range(n)), None)


def _encoded_classes(owner: Any, sub_est: Any, p: Prediction, n: int) -> None:
    """Sub-estimators of Voting/Stacking classifiers are fitted on ``LabelEncoder``-encoded
    targets, so their classes must be 0..n-1 in order."""
    got = list(p.classes or ())
    ok = len(got) == n
    for i, c in enumerate(got):
        ok = ok and not isinstance(c, str) and float(c) == i
    if not ok:
        raise UnsupportedEstimatorError(
            f"{_name(owner)}: {_name(sub_est)} has classes {got}, expected the encoded labels 0..{n - 1}"
        )


# ---------------------------------------------------------------------------------------------
# OneVsRestClassifier
# ---------------------------------------------------------------------------------------------


def _ovr_score(owner: Any, est: Any, p: Prediction) -> Expr:
    """``_predict_binary``: ``predict`` of a regressor, else ``decision_function`` when the
    estimator has one, else ``predict_proba[:, 1]``."""
    if is_regressor(est):
        return p.value
    if hasattr(est, "decision_function"):
        return _decision(owner, est, p)[0]
    return _positive_column(owner, est, p, "one-vs-rest scores")


@register(OneVsRestClassifier)
def assemble_one_vs_rest(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """sklearn's OneVsRestClassifier.

    Multiclass ``predict`` is the first class with the highest score (sklearn iterates in reverse
    to match ``np.argmax``); binary ``predict`` is ``score > threshold`` (0 for a classifier with
    ``decision_function``, else 0.5). ``predict_proba`` is each estimator's positive-class
    probability (binary: ``[1 - p, p]``) divided by the row sum unless that sum is 0."""
    y_type = str(est.label_binarizer_.y_type_)
    if y_type not in ("binary", "multiclass"):
        raise UnsupportedEstimatorError(f"OneVsRestClassifier fitted on {y_type} targets is not supported")
    classes = list(est.classes_)
    labels = [label_literal(c) for c in classes]
    subs = list(est.estimators_)
    preds = [_sub_prediction(e, features, ctx) for e in subs]
    scores = ctx.materialize([_ovr_score(est, e, p) for e, p in zip(subs, preds, strict=True)], "ovr")
    if y_type == "multiclass":
        label = wide_argmax(scores, labels, ctx)
    else:
        first = subs[0]
        thresh = lit(0.0 if hasattr(first, "decision_function") and is_classifier(first) else 0.5)
        z = scores[0]
        label = Case(((Compare(">", z, thresh), labels[1]), (Compare("<=", z, thresh), labels[0])), None)
    proba: tuple[Expr, ...] | None = None
    if hasattr(est, "predict_proba"):
        ys = [_positive_column(est, e, p, "predict_proba") for e, p in zip(subs, preds, strict=True)]
        if len(ys) == 1:
            ys = [sub(lit(1.0), ys[0]), ys[0]]
        ys = ctx.materialize(ys, "ovrp")
        row_sum = ctx.materialize([total(ys)], "ovrsum")[0]
        proba = tuple(
            Case(((Compare("!=", row_sum, lit(0.0)), div(y, row_sum)), (Compare("=", row_sum, lit(0.0)), y)), None)
            for y in ys
        )
    decision: tuple[Expr, ...] | None = None
    if hasattr(est, "decision_function"):
        decision = tuple(_decision(est, e, p)[0] for e, p in zip(subs, preds, strict=True))
    return Prediction("classifier", label, tuple(classes), proba, decision)


# ---------------------------------------------------------------------------------------------
# OutputCodeClassifier
# ---------------------------------------------------------------------------------------------


@register(_ConstantPredictor)
def assemble_constant_predictor(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """The stand-in sklearn fits for a binary problem with one class only (a constant column of
    an output code, a constant label in one-vs-rest): ``y_`` whatever the row (it checks nothing),
    as ``predict`` and ``decision_function``, and ``[1 - y_, y_]`` as ``predict_proba``."""
    y = float(np.asarray(est.y_, dtype=np.float64).ravel()[0])
    return Prediction("classifier", lit(y), (0, 1), (lit(1.0 - y), lit(y)), (lit(y),))


@register(OutputCodeClassifier)
def assemble_output_code(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """``predict``: the class whose row of ``code_book_`` is nearest (``pairwise_distances_argmin``,
    euclidean) to the estimators' ``_predict_binary`` scores; it has no predict_proba."""
    subs = list(est.estimators_)
    preds = [_sub_prediction(e, features, ctx) for e in subs]
    scores = ctx.materialize([_ovr_score(est, e, p) for e, p in zip(subs, preds, strict=True)], "occ")
    code_book = np.asarray(est.code_book_, dtype=np.float64)
    negated = ctx.materialize([mul(lit(-1.0), s) for s in nearest_scores(scores, code_book)], "near")
    classes = list(est.classes_)
    return Prediction("classifier", wide_argmax(negated, [label_literal(c) for c in classes], ctx), tuple(classes))


# ---------------------------------------------------------------------------------------------
# TransformedTargetRegressor
# ---------------------------------------------------------------------------------------------


@register(TransformedTargetRegressor)
def assemble_transformed_target(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """``transformer_.inverse_transform(regressor_.predict(X))``."""
    try:
        inverse = inverse_transform(est.transformer_, ctx)
    except UnsupportedEstimatorError as err:
        raise UnsupportedEstimatorError(f"{_name(est)}: {err}") from None
    p = predict(est.regressor_, features, ctx)
    if p.kind != "regressor":
        raise UnsupportedEstimatorError(f"{_name(est)}: {_name(est.regressor_)} is not a regressor")
    value = ctx.materialize([p.value], "ttr")[0]
    return Prediction("regressor", inverse(value))


@register(RANSACRegressor)
def assemble_ransac(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """``RANSACRegressor.predict`` is ``estimator_.predict``."""
    return predict(est.estimator_, features, ctx)


# ---------------------------------------------------------------------------------------------
# Voting
# ---------------------------------------------------------------------------------------------


def _voting_weights(est: Any) -> list[float] | None:
    w = est._weights_not_none
    if w is None:
        return None
    out = [float(x) for x in w]
    if any(x < 0 for x in out):
        raise UnsupportedEstimatorError(f"{_name(est)} with negative weights is not supported")
    return out


def _average(values: Sequence[Expr], weights: list[float] | None) -> Expr:
    """``np.average`` over estimators: ``sum(v) / n``, or ``sum(v * w) / sum(w)``."""
    if weights is None:
        return div(total(list(values)), lit(float(len(values))))
    scale = float(np.sum(np.asarray(weights, dtype=np.float64)))
    return div(total([mul(v, lit(w)) for v, w in zip(values, weights, strict=True)]), lit(scale))


@register(VotingClassifier)
def assemble_voting_classifier(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """Hard: ``argmax(bincount(predictions, weights))`` (lowest class index wins ties); soft:
    ``argmax`` of the weighted average of the estimators' ``predict_proba``."""
    classes = list(est.classes_)
    n = len(classes)
    labels = [label_literal(c) for c in classes]
    weights = _voting_weights(est)
    subs = list(est.estimators_)
    preds = [_sub_prediction(e, features, ctx) for e in subs]
    for e, p in zip(subs, preds, strict=True):
        _encoded_classes(est, e, p, n)
    if est.voting == "soft":
        probas: list[tuple[Expr, ...]] = []
        for e, p in zip(subs, preds, strict=True):
            if p.proba is None:
                raise UnsupportedEstimatorError(f"{_name(est)}: {_name(e)} has no predict_proba for soft voting")
            probas.append(p.proba)
        avg = ctx.materialize([_average([pr[k] for pr in probas], weights) for k in range(n)], "vote")
        return Prediction("classifier", wide_argmax(avg, labels, ctx), tuple(classes), tuple(avg))
    ws = weights if weights is not None else [1.0] * len(preds)
    votes: list[Expr] = []
    for k in range(n):
        terms: list[Expr] = []
        for p, w in zip(preds, ws, strict=True):
            own = label_literal((p.classes or ())[k])
            # A NULL prediction makes a NULL vote (neither branch holds), so the argmax is NULL.
            terms.append(Case(((Compare("=", p.value, own), lit(w)), (Compare("!=", p.value, own), lit(0.0))), None))
        votes.append(total(terms))
    votes = ctx.materialize(votes, "votes")
    return Prediction("classifier", wide_argmax(votes, labels, ctx), tuple(classes))


@register(VotingRegressor)
def assemble_voting_regressor(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """``np.average`` of the estimators' predictions with ``weights``."""
    values = [predict(e, features, ctx).value for e in est.estimators_]
    return Prediction("regressor", _average(values, _voting_weights(est)))


# ---------------------------------------------------------------------------------------------
# Stacking
# ---------------------------------------------------------------------------------------------


def _stack_columns(owner: Any, est: Any, method: str, p: Prediction, n_classes: int | None) -> list[Expr]:
    """The meta-features one base estimator contributes (``_concatenate_predictions``)."""
    if method == "predict_proba":
        if p.proba is None:
            raise UnsupportedEstimatorError(f"{_name(owner)}: {_name(est)} has no compiled predict_proba")
        return list(p.proba[1:]) if n_classes == 2 else list(p.proba)
    if method == "decision_function":
        return list(_decision(owner, est, p))
    if method == "predict":
        if p.kind == "classifier" and any(isinstance(c, str) for c in (p.classes or ())):
            raise UnsupportedEstimatorError(f"{_name(owner)}: {_name(est)} predicts text labels")
        return [Cast(p.value, "double") if p.kind == "classifier" else p.value]
    raise UnsupportedEstimatorError(f"{_name(owner)}: stack_method {method!r} is not supported")


@register(StackingClassifier, StackingRegressor)
def assemble_stacking(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """``final_estimator_`` over the base estimators' ``stack_method_`` outputs (binary
    ``predict_proba`` without its first column), then the input features if ``passthrough``.

    A NULL meta-feature means sklearn refused the row, so every output is NULL there, even if the
    final estimator could route a missing value (a tree would)."""
    classifier = isinstance(est, StackingClassifier)
    if classifier and isinstance(est._label_encoder, list):
        raise UnsupportedEstimatorError("StackingClassifier fitted on multilabel targets is not supported")
    n_classes = len(est.classes_) if classifier else None
    meta: list[Expr] = []
    names: list[str] = []
    for i, (e, method) in enumerate(zip(est.estimators_, est.stack_method_, strict=True)):
        p = _sub_prediction(e, features, ctx)
        cols = _stack_columns(est, e, method, p, n_classes)
        meta += cols
        names += [f"{_name(e).lower()}{i}_{j}" for j in range(len(cols))]
    meta = ctx.materialize(meta, "stack")
    final_in = [Feature(m, n) for m, n in zip(meta, names, strict=True)]
    if est.passthrough:
        final_in += features
    fp = ctx.materialize_prediction(predict(est.final_estimator_, final_in, ctx))
    ok = all_present(meta)

    def g(e: Expr) -> Expr:
        return _guard(ok, e)

    if not classifier:
        return Prediction("regressor", g(fp.value))
    classes = list(est.classes_)
    _encoded_classes(est, est.final_estimator_, fp, len(classes))
    label = _label_of_index(fp.value, len(classes), classes)
    proba = tuple(g(x) for x in fp.proba) if fp.proba is not None else None
    decision = tuple(g(x) for x in fp.decision) if fp.decision is not None else None
    return Prediction("classifier", g(label), tuple(classes), proba, decision)
