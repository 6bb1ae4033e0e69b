"""Pairwise (one-vs-one) classification: sklearn's ``OneVsOneClassifier`` and the helpers the
kernel SVMs share with it.

sklearn's ``_ovr_decision_function(predictions, confidences, k)`` turns one binary result per
pair of classes ``i < j`` into one value per class: the number of pairs the class wins, plus the
class's confidences summed in pair order (``c_i -= conf``, ``c_j += conf``) and scaled into
(-1/3, 1/3) as ``c / (3 * (|c| + 1))``.

OneVsOneClassifier: each pair's estimator was fitted on ``0`` (class ``i``) and ``1`` (class
``j``); its ``predict`` gives the pair's winner and its confidence is ``decision_function`` (or
``predict_proba[:, 1]`` without one, ``predict`` for a regressor), as ``_predict_binary``.
``decision_function`` is the per-class value (two classes: the second class's); ``predict`` its
first largest (two classes: the second class where it is above 0, or 0.5 for estimators without
``decision_function``). It has no ``predict_proba``: the outputs are ``decision_function`` columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sklearn.base import is_classifier, is_regressor
from sklearn.multiclass import OneVsOneClassifier

from ...errors import UnsupportedEstimatorError
from ...ir import Arith, Case, Compare, Expr, Func, div, lit, mul, total
from ..context import Context
from ..interface import Feature, Prediction, label_literal
from ..registry import predict, register
from ..shared.prep_common import wide_argmax

__all__ = ["pairs", "indicator", "count_wins", "ovr_decision_function", "assemble_one_vs_one"]


def pairs(k: int) -> list[tuple[int, int]]:
    """The pairs ``i < j`` of classes, in libsvm's and sklearn's order."""
    return [(i, j) for i in range(k) for j in range(i + 1, k)]


def indicator(yes: Expr, no: Expr) -> Expr:
    """1.0 where ``yes``, 0.0 where ``no``, NULL where neither (a NULL decision): a vote count
    over a NULL row must be NULL, not 0."""
    return Case(((yes, lit(1.0)), (no, lit(0.0))), None)


def count_wins(outcomes: Sequence[tuple[Expr, Expr]], k: int) -> list[Expr]:
    """Per class, the pairs it wins; ``outcomes[p]`` is (``i`` wins, ``j`` wins) for pair ``p``."""
    votes: list[list[Expr]] = [[] for _ in range(k)]
    for (i_wins, j_wins), (i, j) in zip(outcomes, pairs(k), strict=True):
        votes[i].append(indicator(i_wins, j_wins))
        votes[j].append(indicator(j_wins, i_wins))
    return [total(v) for v in votes]


def ovr_decision_function(
    outcomes: Sequence[tuple[Expr, Expr]], shares: Sequence[tuple[Expr, Expr]], k: int, ctx: Context
) -> list[Expr]:
    """``_ovr_decision_function``: wins plus the scaled confidence sums; ``shares[p]`` is what
    pair ``p`` adds to class ``i``'s and class ``j``'s confidence sums (``-conf``, ``conf``)."""
    conf: list[list[Expr]] = [[] for _ in range(k)]
    for (to_i, to_j), (i, j) in zip(shares, pairs(k), strict=True):
        conf[i].append(to_i)
        conf[j].append(to_j)
    sums = ctx.materialize([total(c) for c in conf], "conf")
    return ctx.materialize(
        [
            Arith("+", v, div(s, mul(lit(3.0), Arith("+", Func("abs", (s,)), lit(1.0)))))
            for v, s in zip(count_wins(outcomes, k), sums, strict=True)
        ],
        "ovr",
    )


def _confidence(sub: Any, p: Prediction) -> Expr:
    """sklearn's ``_predict_binary``."""
    if is_regressor(sub):
        return p.value
    if hasattr(sub, "decision_function"):
        if p.decision is None or len(p.decision) != 1:
            raise UnsupportedEstimatorError(f"OneVsOneClassifier over {type(sub).__name__}: its decision_function is not compiled")
        return p.decision[0]
    if p.proba is None or len(p.proba) != 2:
        raise UnsupportedEstimatorError(f"OneVsOneClassifier over {type(sub).__name__}: no binary score to compile")
    return p.proba[1]


@register(OneVsOneClassifier)
def assemble_one_vs_one(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    if getattr(est, "pairwise_indices_", None) is not None:
        raise UnsupportedEstimatorError("OneVsOneClassifier over a precomputed kernel is not supported")
    classes = list(est.classes_)
    k = len(classes)
    outcomes: list[tuple[Expr, Expr]] = []
    shares: list[tuple[Expr, Expr]] = []
    for sub in est.estimators_:
        p = ctx.materialize_prediction(predict(sub, features, ctx))
        # the pair's estimator learnt 0 for class i and 1 for class j
        outcomes.append((Compare("=", p.value, lit(0)), Compare("=", p.value, lit(1))))
        conf = _confidence(sub, p)
        shares.append((mul(lit(-1.0), conf), conf))
    values = ovr_decision_function(outcomes, shares, k, ctx)
    labels = [label_literal(c) for c in classes]
    if k == 2:
        first = est.estimators_[0]
        threshold = 0.0 if hasattr(first, "decision_function") and is_classifier(first) else 0.5
        y = values[1]
        label: Expr = Case(((Compare(">", y, lit(threshold)), labels[1]), (Compare("<=", y, lit(threshold)), labels[0])), None)
        return Prediction("classifier", label, tuple(classes), decision=(y,))
    return Prediction("classifier", wide_argmax(values, labels, ctx), tuple(classes), decision=tuple(values))
