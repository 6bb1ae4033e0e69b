"""Parity of MLPClassifier and MLPRegressor on every engine: every hidden activation, binary,
multiclass and string labels, several hidden layers, and NULL-laden rows (refused: NULL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import datasets
import skl2sql
from engines import Engine
from parity import case_cache, check_parity

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _fit(est: Any, data: str) -> tuple[Any, pd.DataFrame]:
    X, y = getattr(datasets, data)()
    model = make_pipeline(StandardScaler(), est).fit(X, y)
    return model, X.iloc[:: max(1, len(X) // 150)]


def _mixed(est: Any, target: str) -> tuple[Any, pd.DataFrame]:
    X, y, score = datasets.mixed_numeric_target(target)
    return make_pipeline(StandardScaler(), est).fit(X, y), score


def _mlp(cls: type, activation: str, layers: tuple[int, ...] = (12,)) -> Any:
    return cls(hidden_layer_sizes=layers, activation=activation, max_iter=300, random_state=0)


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "relu_binary": lambda: _fit(_mlp(MLPClassifier, "relu"), "breast_cancer"),
    "tanh_multiclass": lambda: _fit(_mlp(MLPClassifier, "tanh", (8, 6)), "wine"),
    "logistic_string_labels": lambda: _fit(_mlp(MLPClassifier, "logistic"), "iris_named_labels"),
    "identity_multiclass": lambda: _fit(_mlp(MLPClassifier, "identity"), "iris"),
    "regressor_relu_deep": lambda: _fit(_mlp(MLPRegressor, "relu", (16, 8, 4)), "diabetes"),
    "regressor_tanh": lambda: _fit(_mlp(MLPRegressor, "tanh"), "diabetes"),
    "classifier_mixed_nulls": lambda: _mixed(_mlp(MLPClassifier, "relu"), "multi"),
}
fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_mlp_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


def test_multilabel_refused() -> None:
    X, y = datasets.iris()
    Y = pd.get_dummies(y).to_numpy(dtype=int)
    est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=50, random_state=0).fit(X, Y)
    with pytest.raises(skl2sql.UnsupportedEstimatorError, match="multilabel"):
        skl2sql.compile(est, table="t")
