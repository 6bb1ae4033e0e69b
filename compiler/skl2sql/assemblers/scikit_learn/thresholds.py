"""FixedThresholdClassifier and TunedThresholdClassifierCV: a binary classifier whose label
compares one score with a threshold.

sklearn (``_get_response_values_binary`` and ``_threshold_scores_to_class_labels``): the score is
the first of ``response_method`` the inner estimator has (``auto``: ``predict_proba``, then
``decision_function``), for the positive class: ``predict_proba[:, pos]``, or
``decision_function`` negated when the positive class is ``classes_[0]``; ``pos_label=None``
means ``classes_[1]``. The label is the positive class where ``score >= threshold``
(``threshold='auto'``: 0.5 on probabilities, 0 on decisions; the tuned classifier's
``best_threshold_``), else the other class. Probabilities and decision values are the inner
estimator's. A NULL score gives a NULL label.
"""

from __future__ import annotations

from typing import Any

from sklearn.model_selection import FixedThresholdClassifier, TunedThresholdClassifierCV

from ...errors import UnsupportedEstimatorError
from ...ir import Case, Compare, Expr, lit, mul
from ..context import Context
from ..interface import Feature, Prediction, label_literal
from ..registry import predict, register

__all__ = ["assemble_threshold_classifier"]


def _pos_label(est: Any) -> Any:
    if isinstance(est, TunedThresholdClassifierCV):
        scorer = getattr(est, "_curve_scorer", None)
        if scorer is not None and hasattr(scorer, "_get_pos_label"):
            return scorer._get_pos_label()
    return est.pos_label


@register(FixedThresholdClassifier, TunedThresholdClassifierCV)
def assemble_threshold_classifier(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    name = type(est).__name__
    inner = getattr(est, "estimator_", est.estimator)
    classes = list(est.classes_)
    if len(classes) != 2:
        raise UnsupportedEstimatorError(f"{name} needs a binary classifier, got {len(classes)} classes")
    p = ctx.materialize_prediction(predict(inner, features, ctx))
    methods = est.response_method
    methods = ["predict_proba", "decision_function"] if methods == "auto" else [methods] if isinstance(methods, str) else list(methods)
    method = next((m for m in methods if hasattr(inner, m)), None)
    pos_label = _pos_label(est)
    pos = 1 if pos_label is None else classes.index(pos_label)
    score: Expr
    if method == "predict_proba" and p.proba is not None:
        score, auto = p.proba[pos], 0.5
    elif method == "decision_function" and p.decision is not None and len(p.decision) == 1:
        score, auto = (p.decision[0] if pos == 1 else mul(lit(-1.0), p.decision[0])), 0.0
    else:
        raise UnsupportedEstimatorError(
            f"{name} scores {type(inner).__name__} by {method!r}, which its compiled form does not carry"
        )
    if isinstance(est, TunedThresholdClassifierCV):
        threshold = float(est.best_threshold_)
    else:
        threshold = auto if isinstance(est.threshold, str) else float(est.threshold)
    labels = [label_literal(c) for c in classes]
    positive, negative = labels[pos], labels[1 - pos]
    label = Case(((Compare(">=", score, lit(threshold)), positive), (Compare("<", score, lit(threshold)), negative)), None)
    return Prediction("classifier", label, tuple(classes), p.proba, p.decision)
