"""Parity of models with several targets on every engine: MultiOutputRegressor and
MultiOutputClassifier over any base model, RegressorChain and ClassifierChain (every supported
``chain_method``, custom and random orders), multi-target linear regressors and PLS, and native
multi-output decision trees, random forests and extra trees (regressors and classifiers). Outputs
carry the target's index (``prediction_0``, ``probability_0_<class>``...); NULL-laden rows give
NULL for every target."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.cross_decomposition import PLSRegression
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.multioutput import ClassifierChain, MultiOutputClassifier, MultiOutputRegressor, RegressorChain
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import datasets
import skl2sql
from engines import Engine
from parity import case_cache, check_parity

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _targets() -> tuple[pd.DataFrame, np.ndarray]:
    X, y = datasets.diabetes()
    return X, np.c_[y, X.iloc[:, 0] * 100.0 + y / 10.0, np.log(y)]


def _labels() -> tuple[pd.DataFrame, np.ndarray]:
    """Three binary targets (a multilabel indicator), for chains."""
    X, y = datasets.breast_cancer()
    return X, np.c_[y, (X.iloc[:, 0] > 14).astype(int), (X.iloc[:, 3] > 600).astype(int)]


def _regression(est: Any, rows: int | None = None) -> tuple[Any, pd.DataFrame]:
    """``rows``: fit on the first rows only (a kernel model keeps every training row in its SQL)."""
    X, Y = _targets()
    return est.fit(X.iloc[:rows], Y[:rows]), X.iloc[::3]


def _classification(est: Any, text: bool = False) -> tuple[Any, pd.DataFrame]:
    X, Y = _labels()
    if text:  # string labels, and a target with three classes
        Y = np.c_[np.array(["no", "it's"], dtype=object)[Y[:, 0]], np.array(["x", "y", "z"], dtype=object)[np.digitize(X.iloc[:, 0], [12, 16])]]
    return est.fit(X, Y), X.iloc[::4]


def _mixed(est: Any) -> tuple[Any, pd.DataFrame]:
    X, y, score = datasets.mixed_numeric_target("reg")
    return est.fit(X, np.c_[y, 2.0 * y + X.iloc[:, 0].fillna(0.0)]), score


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "multi_output_boosting": lambda: _regression(MultiOutputRegressor(GradientBoostingRegressor(n_estimators=10, random_state=0))),
    "multi_target_ridge_pipeline": lambda: _regression(make_pipeline(StandardScaler(), Ridge())),
    "multi_target_pls": lambda: _regression(PLSRegression(n_components=3)),
    "multi_output_classifier_text_labels": lambda: _classification(
        MultiOutputClassifier(make_pipeline(StandardScaler(), LogisticRegression())), text=True
    ),
    "multi_output_forest": lambda: _classification(MultiOutputClassifier(RandomForestClassifier(n_estimators=5, max_depth=4, random_state=0))),
    "regressor_chain_order": lambda: _regression(RegressorChain(make_pipeline(StandardScaler(), Ridge()), order=[2, 0, 1])),
    "classifier_chain_random_order": lambda: _classification(
        ClassifierChain(make_pipeline(StandardScaler(), LogisticRegression()), order="random", random_state=0)
    ),
    "classifier_chain_predict_proba": lambda: _classification(
        ClassifierChain(make_pipeline(StandardScaler(), LogisticRegression()), chain_method="predict_proba")
    ),
    "classifier_chain_decision_function_tree": lambda: _classification(
        ClassifierChain(make_pipeline(StandardScaler(), LogisticRegression()), chain_method="decision_function")
    ),
    "classifier_chain_tree_labels": lambda: _classification(ClassifierChain(DecisionTreeClassifier(max_depth=3, random_state=0))),
    # native multi-output trees and forests: one leaf per tree, a value (or class fractions) per output
    "tree_regressor": lambda: _regression(DecisionTreeRegressor(max_depth=5, random_state=0)),
    "forest_regressor": lambda: _regression(RandomForestRegressor(n_estimators=30, max_depth=5, random_state=0)),
    "extra_trees_regressor": lambda: _regression(ExtraTreesRegressor(n_estimators=5, max_depth=6, random_state=0)),
    "tree_classifier_text_labels": lambda: _classification(DecisionTreeClassifier(max_depth=5, random_state=0), text=True),
    "forest_classifier_text_labels": lambda: _classification(
        RandomForestClassifier(n_estimators=30, max_depth=5, random_state=0), text=True
    ),
    "extra_trees_classifier_labels": lambda: _classification(ExtraTreesClassifier(n_estimators=5, max_depth=6, random_state=0)),
    "forest_regressor_mixed_nulls": lambda: _mixed(RandomForestRegressor(n_estimators=5, max_depth=4, random_state=0)),
    "kernel_ridge_three_targets": lambda: _regression(make_pipeline(StandardScaler(), KernelRidge(alpha=1.0, kernel="rbf", gamma=0.1)), rows=80),
    "mlp_regressor_three_targets": lambda: _regression(
        make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(8,), max_iter=300, random_state=0))
    ),
    "multi_output_mixed_nulls": lambda: _mixed(MultiOutputRegressor(make_pipeline(StandardScaler(), LinearRegression()))),
    "multi_target_linear_mixed_nulls": lambda: _mixed(make_pipeline(StandardScaler(), LinearRegression())),
}
fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_multioutput_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    compiled = check_parity(est, X, engine)
    assert compiled.kind == "multioutput"
    n_targets = np.asarray(est.predict(X.dropna())).shape[1]
    assert [o for o in compiled.outputs if o.startswith("prediction")] == [f"prediction_{i}" for i in range(n_targets)]


def test_output_names_and_classes() -> None:
    est, _ = fitted("multi_output_classifier_text_labels")
    compiled = skl2sql.compile(est, table="t")
    assert compiled.outputs == [
        "prediction_0", "probability_0_it_s", "probability_0_no",
        "prediction_1", "probability_1_x", "probability_1_y", "probability_1_z",
    ]
    assert compiled.classes["probability_0_it_s"] == "it's" and compiled.classes["probability_1_z"] == "z"


def test_multioutput_inside_a_meta_estimator_is_refused() -> None:
    """A multi-output model can only be the final step: a meta-estimator reads one target."""
    from sklearn.ensemble import VotingRegressor

    X, Y = _targets()
    ridge = Ridge().fit(X, Y)
    voting = VotingRegressor([("a", Ridge()), ("b", Ridge())]).fit(X, Y[:, 0])
    voting.estimators_ = [ridge, ridge]
    with pytest.raises(skl2sql.UnsupportedEstimatorError, match="3 targets"):
        skl2sql.compile(voting, table="t")
