"""Models with several targets: MultiOutputRegressor, MultiOutputClassifier, RegressorChain,
ClassifierChain (and multi-target linear regressors, in :mod:`.linear`).

Each target is a single-target prediction of its own; the outputs carry the target's index
(``prediction_0``, ``probability_0_<class>``, ``prediction_1``...) in sklearn's column order
(:func:`skl2sql.api.compile`). A chain (sklearn's ``_BaseChain._get_predictions``) feeds each link
the inputs plus the earlier links' values, in the chain's ``order_``: the label as a number
(``chain_method='predict'``, the default), the positive class's probability (``predict_proba``)
or the decision function (``decision_function``); each link's own outputs are its full
classifier or regressor outputs. A ClassifierChain's ``predict_proba`` is each target's
``probability_<i>_1``. Refused: ``chain_method='predict_log_proba'``.
"""

from __future__ import annotations

from typing import Any

from sklearn.multioutput import ClassifierChain, MultiOutputClassifier, MultiOutputRegressor, RegressorChain

from ...errors import UnsupportedEstimatorError
from ...ir import Cast, Expr
from ..context import Context
from ..interface import Feature, Prediction, several
from ..registry import predict, register

__all__ = ["assemble_multi_output", "assemble_chain"]


def _checked(est: Any, base: Any, p: Prediction) -> Prediction:
    want = "classifier" if isinstance(est, (MultiOutputClassifier, ClassifierChain)) else "regressor"
    if p.kind != want:
        raise UnsupportedEstimatorError(f"{type(est).__name__}: {type(base).__name__} is not a {want}")
    return p


@register(MultiOutputRegressor, MultiOutputClassifier)
def assemble_multi_output(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    targets = tuple(_checked(est, e, predict(e, features, ctx)) for e in est.estimators_)
    return several(targets)


def _chain_value(est: Any, p: Prediction, method: str) -> Expr:
    """What the next links read of this one (``_get_response_values`` with ``method``)."""
    if method == "predict":
        return Cast(p.value, "double")
    if method == "predict_proba" and p.proba is not None:
        return p.proba[-1]
    if method == "decision_function" and p.decision is not None and len(p.decision) == 1:
        return p.decision[0]
    raise UnsupportedEstimatorError(f"{type(est).__name__} with chain_method={method!r} is not supported")


@register(RegressorChain, ClassifierChain)
def assemble_chain(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    method = getattr(est, "chain_method_", "predict")
    order = [int(i) for i in est.order_]
    by_column: dict[int, Prediction] = {}
    earlier: list[Feature] = []
    for link, base in enumerate(est.estimators_):
        p = ctx.materialize_prediction(_checked(est, base, predict(base, [*features, *earlier], ctx)))
        by_column[order[link]] = p
        value = ctx.materialize([_chain_value(est, p, method)], "chain")[0]
        earlier.append(Feature(value, f"chain_{link}"))
    targets = tuple(by_column[i] for i in range(len(order)))
    return several(targets)
