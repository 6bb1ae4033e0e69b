"""Parity of CalibratedClassifierCV (sigmoid and isotonic, binary and multiclass, every fold's
calibrated classifier or ``ensemble=False``, a frozen prefit estimator) on every engine.

The base estimators cover both responses sklearn calibrates: ``decision_function`` (linear
models, LinearSVC, GradientBoosting and HistGradientBoosting, whose compiled form carries their
raw score) and ``predict_proba`` (RandomForest). ``*_mixed`` cases score NULL-laden rows: the
base estimator refuses them (or imputes, in a pipeline), and so does the SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis
from sklearn.ensemble import (
    AdaBoostClassifier,
    BaggingClassifier,
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

import datasets
from engines import Engine
from parity import case_cache, check_parity


def _fit(est: Any, data: str) -> tuple[Any, pd.DataFrame]:
    X, y = getattr(datasets, data)()
    return est.fit(X, y), X


def _mixed(est: Any) -> tuple[Any, pd.DataFrame]:
    train, score, yc, _ = datasets.mixed()
    cols = datasets.HOSTILE_NUMERIC[:3]
    return est.fit(train[cols], yc), score[cols]


def _frozen() -> tuple[Any, pd.DataFrame]:
    X, y = datasets.breast_cancer()
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X.iloc[:300], y[:300])
    est = CalibratedClassifierCV(FrozenEstimator(model), method="isotonic").fit(X.iloc[300:], y[300:])
    return est, X


def _lightgbm() -> Any:
    lgb = pytest.importorskip("lightgbm")
    return lgb.LGBMClassifier(n_estimators=10, num_leaves=7, verbose=-1, n_jobs=1)


def _scaled_lr() -> Any:
    return make_pipeline(StandardScaler(), LogisticRegression())


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "sigmoid_logistic_binary": lambda: _fit(CalibratedClassifierCV(_scaled_lr(), cv=3), "breast_cancer"),
    "isotonic_logistic_binary": lambda: _fit(CalibratedClassifierCV(_scaled_lr(), method="isotonic", cv=3), "breast_cancer"),
    "isotonic_forest_binary": lambda: _fit(
        CalibratedClassifierCV(RandomForestClassifier(n_estimators=8, max_depth=4, random_state=0), method="isotonic", cv=3),
        "breast_cancer",
    ),
    "sigmoid_forest_multiclass": lambda: _fit(
        CalibratedClassifierCV(RandomForestClassifier(n_estimators=8, max_depth=4, random_state=0), cv=3), "wine"
    ),
    "sigmoid_gradient_boosting_multiclass": lambda: _fit(
        CalibratedClassifierCV(GradientBoostingClassifier(n_estimators=10, max_depth=2, random_state=0), cv=3), "wine"
    ),
    "isotonic_linear_svc_multiclass": lambda: _fit(
        CalibratedClassifierCV(make_pipeline(StandardScaler(), LinearSVC()), method="isotonic", cv=3), "wine"
    ),
    "isotonic_hgb_no_ensemble": lambda: _fit(
        CalibratedClassifierCV(HistGradientBoostingClassifier(max_iter=10), method="isotonic", cv=3, ensemble=False), "wine"
    ),
    "frozen_prefit_isotonic": _frozen,
    "sigmoid_mixed_refuses_nulls": lambda: _mixed(CalibratedClassifierCV(LogisticRegression(), cv=3)),
    "isotonic_mixed_imputed": lambda: _mixed(
        CalibratedClassifierCV(make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression()), method="isotonic", cv=3)
    ),
    "one_vs_rest_gradient_boosting": lambda: _fit(
        OneVsRestClassifier(GradientBoostingClassifier(n_estimators=8, max_depth=2, random_state=0)), "wine"
    ),
    # LightGBM 4.7+ has decision_function (its raw score), which sklearn then calibrates
    "isotonic_lightgbm_multiclass": lambda: _fit(
        CalibratedClassifierCV(_lightgbm(), method="isotonic", cv=3), "wine"
    ),
    "sigmoid_lightgbm_binary": lambda: _fit(CalibratedClassifierCV(_lightgbm(), cv=3), "breast_cancer"),
    # QDA's decision_function: score_1 - score_0 for two classes, the scores otherwise
    "sigmoid_qda_binary": lambda: _fit(CalibratedClassifierCV(QuadraticDiscriminantAnalysis(reg_param=0.05), cv=3), "breast_cancer"),
    "one_vs_rest_qda": lambda: _fit(OneVsRestClassifier(QuadraticDiscriminantAnalysis(reg_param=0.05)), "wine"),
    # AdaBoost's decision_function (weighted votes) and Bagging's (mean of the bases' decisions)
    "isotonic_adaboost_binary": lambda: _fit(
        CalibratedClassifierCV(AdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=10, random_state=0),
                               method="isotonic", cv=3),
        "breast_cancer",
    ),
    "one_vs_rest_adaboost": lambda: _fit(OneVsRestClassifier(AdaBoostClassifier(n_estimators=10, random_state=0)), "wine"),
    "sigmoid_bagging_linear_svc_multiclass": lambda: _fit(
        CalibratedClassifierCV(
            BaggingClassifier(make_pipeline(StandardScaler(), LinearSVC()), n_estimators=5, max_features=0.6, random_state=0),
            cv=3,
        ),
        "wine",
    ),
    "one_vs_rest_bagging_logistic": lambda: _fit(
        OneVsRestClassifier(BaggingClassifier(_scaled_lr(), n_estimators=4, random_state=0)), "breast_cancer"
    ),
    # temperature scaling: softmax(beta * logits) of the decision function or log-probabilities
    "temperature_binary_decision": lambda: _fit(
        CalibratedClassifierCV(make_pipeline(StandardScaler(), LinearSVC()), method="temperature", cv=3), "breast_cancer"
    ),
    "temperature_binary_forest_proba": lambda: _fit(
        CalibratedClassifierCV(RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0), method="temperature", cv=3),
        "breast_cancer",
    ),
    "temperature_multiclass_decision": lambda: _fit(CalibratedClassifierCV(_scaled_lr(), method="temperature", cv=3), "wine"),
    "temperature_forest_proba_string_labels": lambda: _fit(
        CalibratedClassifierCV(
            RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0), method="temperature", cv=3, ensemble=False
        ),
        "iris_named_labels",
    ),
    "temperature_mixed_nulls": lambda: _mixed(CalibratedClassifierCV(_scaled_lr(), method="temperature", cv=3)),
}
fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_calibration_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    # LightGBM reports its column names with spaces replaced: name the real columns (README)
    check_parity(est, X, engine, features=list(X.columns) if "lightgbm" in case else None)


def test_temperature_over_inexact_binary_probabilities_within_documented_bound(engine: Engine) -> None:
    """Two classes over a model without decision_function: sklearn's ``log(1 - p1 + 1e-12)``
    amplifies an ulp of ``p1`` next to 1.0 (GaussianNB's are not bit-exact): within 1e-5, as
    the calibration module documents, and the labels agree exactly."""
    from sklearn.naive_bayes import GaussianNB

    est, X = _fit(CalibratedClassifierCV(GaussianNB(), method="temperature", cv=3), "breast_cancer")
    check_parity(est, X, engine, atol=1e-5, rtol=0.0)
