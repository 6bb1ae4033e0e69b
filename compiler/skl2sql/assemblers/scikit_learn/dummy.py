"""DummyClassifier and DummyRegressor: baselines that ignore the features.

``DummyRegressor.predict`` is ``constant_`` for every row (mean, median, quantile or constant
strategy alike); ``DummyClassifier`` predicts the class with the largest prior (``prior``,
``most_frequent``) or ``constant``, with ``class_prior_`` (``prior``) or a one-hot vector as
probabilities and ``1 / n`` for ``uniform``. ``stratified`` and ``uniform`` predictions are
random draws: refused. Rows with NULL features are scored too, as sklearn does (it never
validates them).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.dummy import DummyClassifier, DummyRegressor

from ...errors import UnsupportedEstimatorError
from ...ir import lit
from ..context import Context
from ..interface import Feature, Prediction, label_literal
from ..registry import register

__all__ = ["assemble_dummy_regressor", "assemble_dummy_classifier"]


@register(DummyRegressor)
def assemble_dummy_regressor(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    constant = np.asarray(est.constant_, dtype=np.float64).ravel()
    if constant.size != 1:
        raise UnsupportedEstimatorError(f"DummyRegressor with {constant.size} outputs is not supported")
    return Prediction("regressor", lit(float(constant[0])))


@register(DummyClassifier)
def assemble_dummy_classifier(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    if int(getattr(est, "n_outputs_", 1)) != 1:
        raise UnsupportedEstimatorError("DummyClassifier with several outputs is not supported")
    strategy = str(est._strategy if hasattr(est, "_strategy") else est.strategy)
    classes = list(est.classes_)
    n = len(classes)
    prior = np.asarray(est.class_prior_, dtype=np.float64)
    if strategy in ("prior", "most_frequent"):
        k = int(prior.argmax())
        proba = list(prior) if strategy == "prior" else [1.0 if i == k else 0.0 for i in range(n)]
    elif strategy == "constant":
        k = classes.index(est.constant if not isinstance(est.constant, np.ndarray) else est.constant.item())
        proba = [1.0 if i == k else 0.0 for i in range(n)]
    else:
        raise UnsupportedEstimatorError(f"DummyClassifier(strategy={strategy!r}) predicts random draws: not supported")
    return Prediction(
        "classifier", label_literal(classes[k]), tuple(classes), tuple(lit(float(p)) for p in proba)
    )
