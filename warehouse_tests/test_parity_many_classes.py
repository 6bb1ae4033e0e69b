"""Parity of classifiers with ten classes (digits) on every engine: beyond eight classes the label
is the first largest score found by a tournament of pairs (``prep_common.wide_argmax``) instead
of one CASE comparing every class with every other; the labels must still be numpy.argmax's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

import datasets
from engines import Engine
from parity import case_cache, check_parity

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _digits(est: Any) -> tuple[Any, pd.DataFrame]:
    X, y = datasets.digits()
    names = np.array([f"digit {d}" for d in range(10)], dtype=object)  # text labels, made safe as suffixes
    return est.fit(X, names[y]), X.iloc[::12]


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "logistic": lambda: _digits(make_pipeline(StandardScaler(), LogisticRegression(max_iter=300))),
    "linear_svc_decision_only": lambda: _digits(make_pipeline(StandardScaler(), LinearSVC())),
    "gaussian_nb": lambda: _digits(GaussianNB()),
    "random_forest": lambda: _digits(RandomForestClassifier(n_estimators=10, max_depth=6, random_state=0)),
    "hist_gradient_boosting": lambda: _digits(HistGradientBoostingClassifier(max_iter=5, random_state=0)),
}
fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_ten_class_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    compiled = check_parity(est, X, engine)
    assert len(set(est.predict(X))) >= 8, "the scored rows should span most classes"
    assert compiled.outputs[0] == "prediction"
