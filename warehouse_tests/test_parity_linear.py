"""Parity of linear models on every engine."""

from __future__ import annotations

from typing import Any

import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import datasets
from engines import Engine
from parity import check_parity


def _fit(est: Any, data: str) -> tuple[Any, Any]:
    X, y = getattr(datasets, data)()
    return est.fit(X, y), X


CASES = {
    "linreg_diabetes": lambda: _fit(LinearRegression(), "diabetes"),
    "logreg_binary": lambda: _fit(make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)), "breast_cancer"),
    "logreg_multinomial": lambda: _fit(LogisticRegression(max_iter=2000), "iris"),
    "logreg_string_labels": lambda: _fit(LogisticRegression(max_iter=2000), "iris_named_labels"),
}
_fitted: dict[str, Any] = {}


def fitted(name: str) -> tuple[Any, Any]:
    if name not in _fitted:
        _fitted[name] = CASES[name]()
    return _fitted[name]


@pytest.mark.parametrize("case", sorted(CASES))
def test_linear_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)
