"""Parity of DummyClassifier / DummyRegressor (baselines that ignore the features: NULL rows are
scored too) and IsotonicRegression (one feature; clip, nan and raise out of bounds) on every
engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.isotonic import IsotonicRegression

import datasets
import skl2sql
from engines import Engine
from parity import case_cache, check_parity


def _dummy(est: Any, data: str) -> tuple[Any, pd.DataFrame]:
    X, y = getattr(datasets, data)()
    score = X.iloc[::10].copy()
    score.iloc[0, 0] = np.nan  # ignored by a dummy: still scored
    return est.fit(X, y), score


def _isotonic(**kw: Any) -> tuple[Any, pd.DataFrame]:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 300)
    y = np.sqrt(x) + rng.normal(0, 0.3, 300)
    est = IsotonicRegression(**kw).fit(pd.DataFrame({"x": x}), y)
    probe = np.concatenate([np.sort(x)[::7], est.X_thresholds_, [-5.0, 0.0, 10.0, 25.0, np.nan]])
    return est, pd.DataFrame({"x": probe})


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "dummy_regressor_mean": lambda: _dummy(DummyRegressor(), "diabetes"),
    "dummy_regressor_quantile": lambda: _dummy(DummyRegressor(strategy="quantile", quantile=0.9), "diabetes"),
    "dummy_classifier_prior": lambda: _dummy(DummyClassifier(), "iris_named_labels"),
    "dummy_classifier_most_frequent": lambda: _dummy(DummyClassifier(strategy="most_frequent"), "breast_cancer"),
    "dummy_classifier_constant": lambda: _dummy(DummyClassifier(strategy="constant", constant=2), "wine"),
    "isotonic_clip": lambda: _isotonic(),
    "isotonic_nan_out_of_bounds": lambda: _isotonic(out_of_bounds="nan"),
    "isotonic_raise_decreasing": lambda: _isotonic(out_of_bounds="raise", increasing=False),
    "isotonic_bounds": lambda: _isotonic(y_min=1.0, y_max=2.5),
}
fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_baseline_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    # IsotonicRegression keeps no column names (it reads a 1-d X): name the one feature
    check_parity(est, X, engine, features=["x"] if case.startswith("isotonic") else None)


def test_random_dummy_refused() -> None:
    X, y = datasets.iris()
    est = DummyClassifier(strategy="stratified").fit(X, y)
    with pytest.raises(skl2sql.UnsupportedEstimatorError, match="random draws"):
        skl2sql.compile(est, table="t")
