"""Parity of meta-estimators (one-vs-rest, transformed target, voting, stacking) on every engine.

Base estimators are linear models (and a decision tree when ``trees.py`` registers one), so these
tests exercise the generic composition over ``registry.predict``. ``*_mixed`` cases score the
NULL-laden numeric columns of ``datasets.mixed()``: sklearn refuses those rows, SQL gives NULL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import StackingClassifier, StackingRegressor, VotingClassifier, VotingRegressor
from sklearn.linear_model import (
    LinearRegression,
    LogisticRegression,
    PoissonRegressor,
    RANSACRegressor,
    Ridge,
    RidgeClassifier,
    SGDClassifier,
)
from sklearn.model_selection import FixedThresholdClassifier, TunedThresholdClassifierCV
from sklearn.multiclass import OneVsOneClassifier, OneVsRestClassifier, OutputCodeClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, RobustScaler, StandardScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import datasets
import skl2sql
from engines import Engine
from parity import case_cache, check_parity
from skl2sql.assemblers.registry import supported_estimators

NUMERIC = datasets.HOSTILE_NUMERIC[:3]
HAVE_TREES = "DecisionTreeClassifier" in supported_estimators()
pytestmark = pytest.mark.filterwarnings(
    "ignore::FutureWarning", "ignore::sklearn.exceptions.ConvergenceWarning"
)


def _few(X: pd.DataFrame) -> pd.DataFrame:
    """At most ~150 scoring rows: loading rows is the slow part of a parity test."""
    return X.iloc[:: max(1, len(X) // 150)]


def _fit(est: Any, data: str) -> tuple[Any, pd.DataFrame]:
    X, y = getattr(datasets, data)()
    return est.fit(X, y), _few(X)


def _fit_mixed(est: Any, target: str) -> tuple[Any, pd.DataFrame]:
    """``est`` on the mixed frame's numeric columns, scored on its NULL-laden frame.

    ``target``: ``reg``, ``positive`` (rows at 1e12 dropped from scoring: the log-link would
    overflow), ``binary`` or ``multi`` (three string classes)."""
    X, y, score = datasets.mixed_numeric_target(target)
    return est.fit(X, y), score


def _scaled(est: Any) -> Any:
    return make_pipeline(StandardScaler(), est)


def _logreg() -> Any:
    return _scaled(LogisticRegression(max_iter=2000))


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    # OneVsRest: decision_function bases, proba bases, binary, string labels, NULLs.
    "ovr_logreg_multi": lambda: _fit(OneVsRestClassifier(_logreg()), "iris_named_labels"),
    "ovr_logreg_binary": lambda: _fit(OneVsRestClassifier(_logreg()), "breast_cancer"),
    "ovr_linearsvc_multi": lambda: _fit(OneVsRestClassifier(_scaled(LinearSVC(random_state=0))), "wine"),
    "ovr_linearsvc_binary": lambda: _fit(OneVsRestClassifier(_scaled(LinearSVC(random_state=0))), "breast_cancer"),
    "ovr_sgd_mhuber_multi": lambda: _fit(
        OneVsRestClassifier(_scaled(SGDClassifier(loss="modified_huber", random_state=0))), "iris"
    ),
    "ovr_ridge_regressor_multi": lambda: _fit(OneVsRestClassifier(_scaled(Ridge())), "iris"),
    "ovr_ridge_regressor_binary": lambda: _fit(OneVsRestClassifier(_scaled(Ridge())), "breast_cancer"),
    "ovr_logreg_mixed": lambda: _fit_mixed(OneVsRestClassifier(_logreg()), "multi"),
    # OutputCodeClassifier: nearest code word to the estimators' scores (constant columns included)
    "output_code_logistic": lambda: _fit(OutputCodeClassifier(_scaled(LogisticRegression()), code_size=2, random_state=0), "wine"),
    "output_code_svc_string_labels": lambda: _fit(
        OutputCodeClassifier(_scaled(LinearSVC()), code_size=1.5, random_state=0), "iris_named_labels"
    ),
    # TransformedTargetRegressor: func pairs and invertible scalers.
    "ttr_log_exp": lambda: _fit(
        TransformedTargetRegressor(_scaled(Ridge()), func=np.log, inverse_func=np.exp), "diabetes"
    ),
    "ttr_log1p_expm1_mixed": lambda: _fit_mixed(
        TransformedTargetRegressor(_scaled(Ridge()), func=np.log1p, inverse_func=np.expm1), "positive"
    ),
    "ttr_sqrt_square": lambda: _fit(
        TransformedTargetRegressor(LinearRegression(), func=np.sqrt, inverse_func=np.square), "diabetes"
    ),
    "ttr_square_sqrt": lambda: _fit(
        TransformedTargetRegressor(LinearRegression(), func=np.square, inverse_func=np.sqrt), "diabetes"
    ),
    "ttr_exp_log": lambda: _fit(
        TransformedTargetRegressor(LinearRegression(), func=lambda y: np.exp(y / 100), inverse_func=np.log,
                                   check_inverse=False),
        "diabetes",
    ),
    "ttr_standard_scaler_mixed": lambda: _fit_mixed(
        TransformedTargetRegressor(_scaled(LinearRegression()), transformer=StandardScaler()), "reg"
    ),
    "ttr_minmax_scaler": lambda: _fit(
        TransformedTargetRegressor(_scaled(Ridge()), transformer=MinMaxScaler()), "diabetes"
    ),
    "ttr_robust_scaler": lambda: _fit(
        TransformedTargetRegressor(_scaled(Ridge()), transformer=RobustScaler()), "diabetes"
    ),
    "ttr_identity": lambda: _fit(TransformedTargetRegressor(LinearRegression()), "diabetes"),
    "ransac": lambda: _fit(RANSACRegressor(LinearRegression(), random_state=0), "diabetes"),
    # Voting.
    "vote_hard": lambda: _fit(
        VotingClassifier([("lr", _logreg()), ("svc", _scaled(LinearSVC(random_state=0))),
                          ("rc", RidgeClassifier())]),
        "iris_named_labels",
    ),
    # Two voters of equal weight (the dropped one's weight is skipped): every disagreement is a
    # tie, which sklearn's bincount argmax gives to the lowest class index.
    "vote_hard_weighted_ties": lambda: _fit(
        VotingClassifier([("lr", _logreg()), ("drop_me", "drop"), ("rc", RidgeClassifier(alpha=1e4))],
                         weights=[2.0, 5.0, 2.0]),
        "wine",
    ),
    "vote_soft": lambda: _fit(
        VotingClassifier([("lr", _logreg()), ("sgd", _scaled(SGDClassifier(loss="log_loss", random_state=0)))],
                         voting="soft"),
        "wine",
    ),
    "vote_soft_weighted_binary_mixed": lambda: _fit_mixed(
        VotingClassifier([("lr", _logreg()), ("mh", _scaled(SGDClassifier(loss="modified_huber", random_state=0)))],
                         voting="soft", weights=[2, 1]),
        "binary",
    ),
    "vote_regressor": lambda: _fit(VotingRegressor([("lr", LinearRegression()), ("ridge", Ridge(alpha=3.0))]),
                                   "diabetes"),
    "vote_regressor_weighted_mixed": lambda: _fit_mixed(
        VotingRegressor([("lr", _scaled(LinearRegression())), ("ridge", _scaled(Ridge(alpha=3.0)))],
                        weights=[0.3, 0.7]),
        "reg",
    ),
    # Stacking: auto stack_method per estimator, binary proba drop, passthrough.
    "stack_clf_multi": lambda: _fit(
        StackingClassifier([("lr", _logreg()), ("svc", _scaled(LinearSVC(random_state=0)))],
                           final_estimator=LogisticRegression(max_iter=2000), cv=3),
        "iris_named_labels",
    ),
    "stack_clf_binary_passthrough": lambda: _fit(
        StackingClassifier([("lr", _logreg()), ("rc", _scaled(RidgeClassifier()))],
                           final_estimator=_logreg(), passthrough=True, cv=3),
        "breast_cancer",
    ),
    "stack_clf_predict_method": lambda: _fit(
        StackingClassifier([("lr", _logreg()), ("rc", _scaled(RidgeClassifier()))],
                           final_estimator=RidgeClassifier(), stack_method="predict", cv=3),
        "wine",
    ),
    "stack_clf_mixed": lambda: _fit_mixed(
        StackingClassifier([("lr", _logreg()), ("svc", _scaled(LinearSVC(random_state=0)))],
                           final_estimator=LogisticRegression(), cv=3),
        "multi",
    ),
    "stack_reg": lambda: _fit(
        StackingRegressor([("lr", LinearRegression()), ("ridge", Ridge(alpha=5.0))],
                          final_estimator=Ridge(alpha=0.5), cv=3),
        "diabetes",
    ),
    # OneVsOne: per-pair winners and confidences through _ovr_decision_function
    "ovo_logreg_labels": lambda: _fit(OneVsOneClassifier(_logreg()), "iris_named_labels"),
    "ovo_linear_svc": lambda: _fit(OneVsOneClassifier(_scaled(LinearSVC())), "wine"),
    "ovo_tree_binary": lambda: _fit(OneVsOneClassifier(DecisionTreeClassifier(max_depth=3, random_state=0)), "breast_cancer"),
    "ovo_mixed_nulls": lambda: _fit_mixed(OneVsOneClassifier(_logreg()), "multi"),
    # Threshold classifiers: the inner estimator's score against a fixed or tuned threshold
    # ("precision" tunes it near 1 and "recall" near 0, far from the default 0.5, so a wrong
    # threshold changes many labels)
    "fixed_threshold_proba": lambda: _fit(FixedThresholdClassifier(_logreg(), threshold=0.3), "breast_cancer"),
    "fixed_threshold_pos_label_first": lambda: _fit(
        FixedThresholdClassifier(_logreg(), threshold=0.3, pos_label=0), "breast_cancer"
    ),
    "fixed_threshold_decision_negated": lambda: _fit(
        FixedThresholdClassifier(_logreg(), threshold=-1.0, response_method="decision_function", pos_label=0),
        "breast_cancer",
    ),
    "fixed_threshold_linear_svc": lambda: _fit(FixedThresholdClassifier(_scaled(LinearSVC()), threshold=0.5), "breast_cancer"),
    "tuned_threshold_precision": lambda: _fit(TunedThresholdClassifierCV(_logreg(), scoring="precision", cv=3), "breast_cancer"),
    "tuned_threshold_recall": lambda: _fit(TunedThresholdClassifierCV(_logreg(), scoring="recall", cv=3), "breast_cancer"),
    "tuned_threshold_mixed": lambda: _fit_mixed(TunedThresholdClassifierCV(_logreg(), cv=3), "binary"),
    "stack_reg_passthrough_mixed": lambda: _fit_mixed(
        StackingRegressor([("lr", _scaled(LinearRegression())), ("pois", _scaled(PoissonRegressor()))],
                          final_estimator=Ridge(), passthrough=True, cv=3),
        "positive",
    ),
}
if HAVE_TREES:
    CASES |= {
        "ovr_tree_multi": lambda: _fit(OneVsRestClassifier(DecisionTreeClassifier(max_depth=3, random_state=0)),
                                       "iris"),
        "vote_soft_tree": lambda: _fit(
            VotingClassifier([("lr", _logreg()), ("tree", DecisionTreeClassifier(max_depth=3, random_state=0))],
                             voting="soft"),
            "wine",
        ),
        "stack_tree_final_mixed": lambda: _fit_mixed(
            StackingClassifier([("lr", _logreg()), ("svc", _scaled(LinearSVC(random_state=0)))],
                               final_estimator=DecisionTreeClassifier(max_depth=3, random_state=0), cv=3),
            "binary",
        ),
        "stack_reg_tree_base": lambda: _fit(
            StackingRegressor([("lr", LinearRegression()), ("tree", DecisionTreeRegressor(max_depth=3))],
                              final_estimator=Ridge(), cv=3),
            "diabetes",
        ),
    }

fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_meta_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


def test_hard_vote_ties_occur() -> None:
    """The tie case really has ties (the voters disagree on some rows)."""
    est, X = fitted("vote_hard_weighted_ties")
    a, b = (e.predict(X) for e in est.estimators_)
    assert (a != b).any()


def test_stack_method_auto_resolution() -> None:
    """The compiled stacking reads ``stack_method_`` (proba, decision, predict as sklearn chose)."""
    est, _ = fitted("stack_clf_multi")
    assert est.stack_method_ == ["predict_proba", "decision_function"]


@pytest.mark.parametrize(
    "make",
    [
        lambda: TransformedTargetRegressor(LinearRegression(), func=np.log, inverse_func=lambda y: np.exp(y)),
        lambda: TransformedTargetRegressor(LinearRegression(), func=np.cbrt, inverse_func=np.cbrt,
                                           check_inverse=False),
        lambda: TransformedTargetRegressor(LinearRegression(), transformer=FunctionTransformer(np.log, np.exp,
                                                                                               inv_kw_args={"dtype": np.float64})),
        lambda: VotingClassifier([("a", LogisticRegression()), ("b", RidgeClassifier())], weights=[1, -1]),
    ],
    ids=["lambda_inverse", "cbrt", "inv_kw_args", "negative_weights"],
)
def test_unsupported_settings_raise(make: Callable[[], Any]) -> None:
    X, y = datasets.diabetes()
    est = make()
    if isinstance(est, VotingClassifier):
        X, y = datasets.iris()
    try:
        est.fit(X, y)
    except Exception:  # noqa: BLE001 - sklearn refuses the settings itself: nothing to compile
        pytest.skip("sklearn refuses these settings at fit time")
    with pytest.raises(skl2sql.UnsupportedEstimatorError, match=type(est).__name__):
        skl2sql.compile(est, table="t")
