"""Parity of linear models on every engine.

Each case is fitted once per worker and scored on four engines. ``*_mixed`` cases score the
numeric columns of ``datasets.mixed()``: NULLs (which sklearn refuses, so SQL must give NULL),
magnitudes up to 1e12 and down to 1e-12.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis
from sklearn.linear_model import (
    ARDRegression,
    BayesianRidge,
    ElasticNet,
    ElasticNetCV,
    GammaRegressor,
    HuberRegressor,
    Lars,
    LarsCV,
    Lasso,
    LassoCV,
    LassoLars,
    LassoLarsIC,
    LinearRegression,
    LogisticRegression,
    LogisticRegressionCV,
    OrthogonalMatchingPursuit,
    Perceptron,
    PoissonRegressor,
    QuantileRegressor,
    Ridge,
    RidgeClassifier,
    RidgeClassifierCV,
    RidgeCV,
    SGDClassifier,
    SGDOneClassSVM,
    SGDRegressor,
    TheilSenRegressor,
    TweedieRegressor,
)
from sklearn.naive_bayes import BernoulliNB, CategoricalNB, ComplementNB, GaussianNB, MultinomialNB
from sklearn.neighbors import NearestCentroid
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC, LinearSVR

import datasets
import skl2sql
from engines import Engine
from parity import KEY, case_cache, check_parity

NUMERIC = datasets.HOSTILE_NUMERIC[:3]
Case = Callable[[], tuple[Any, pd.DataFrame]]
pytestmark = pytest.mark.filterwarnings(
    "ignore::FutureWarning", "ignore::sklearn.exceptions.ConvergenceWarning", "ignore:overflow:RuntimeWarning"
)


def _fit(est: Any, data: str, scale: bool = False) -> tuple[Any, pd.DataFrame]:
    X, y = getattr(datasets, data)()
    est = make_pipeline(StandardScaler(), est) if scale else est
    return est.fit(X, y), _few(X)


def _few(X: pd.DataFrame) -> pd.DataFrame:
    """At most ~150 scoring rows: loading rows is the slow part of a parity test."""
    return X.iloc[:: max(1, len(X) // 150)]


def _mixed_numeric() -> tuple[pd.DataFrame, pd.DataFrame]:
    train, score, _, _ = datasets.mixed()
    return train[NUMERIC], score[NUMERIC]


def _fit_mixed(est: Any, target: str = "reg") -> tuple[Any, pd.DataFrame]:
    """Scaled pipeline on the mixed frame's numeric columns, scored on its NULL-laden frame.

    ``target``: ``reg``, ``positive`` (for GLMs; the scoring rows at 1e12, whose log-link
    prediction overflows to inf in NumPy, are left out: see ``test_log_link_overflow_is_null``),
    ``binary`` or ``multi`` (three string classes)."""
    X, y, score = datasets.mixed_numeric_target(target)
    return make_pipeline(StandardScaler(), est).fit(X, y), score


def _categorical_nb() -> tuple[Any, pd.DataFrame]:
    """Integer codes; scored with codes sklearn truncates (1.5, 0.999, -0.0) and codes it refuses
    (negative, unseen, NULL), which must come back NULL."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.integers(0, 4, 300), "b": rng.integers(0, 3, 300), "c": rng.integers(0, 6, 300)}).astype(float)
    y = np.where(X["a"] + X["b"] + rng.normal(0, 1, 300) > 3, "yes", "no")
    est = CategoricalNB(alpha=0.5).fit(X, y)
    odd = pd.DataFrame(
        [[1.5, 0, 0], [0.999, 2, 5], [-0.0, 1, 1], [3.99, 2.5, 5.5], [4, 0, 0], [-1, 0, 0], [1, 0, 6], [np.nan, 0, 0]],
        columns=X.columns,
    )
    return est, pd.concat([X.iloc[::3], odd], ignore_index=True)


def _labels(data: str, kind: str) -> Case:
    """iris/breast_cancer with labels turned into floats or shifted ints."""

    def make() -> tuple[Any, pd.DataFrame]:
        X, y = getattr(datasets, data)()
        yy = y * 2.0 + 1.0 if kind == "float" else y + 7  # float labels must be integral for sklearn
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(X, yy), _few(X)

    return make


REGRESSORS: dict[str, Callable[[], Any]] = {
    "linreg": LinearRegression,
    "ridge": lambda: Ridge(alpha=2.0),
    "ridgecv": lambda: RidgeCV(alphas=(0.1, 1.0, 10.0)),
    "lasso": lambda: Lasso(alpha=0.5),
    "lassocv": lambda: LassoCV(cv=3, alphas=20),
    "enet": lambda: ElasticNet(alpha=0.3, l1_ratio=0.4),
    "enetcv": lambda: ElasticNetCV(cv=3, alphas=20, l1_ratio=[0.2, 0.8]),
    "lars": lambda: Lars(n_nonzero_coefs=5),
    "larscv": lambda: LarsCV(cv=3),
    "lassolars": lambda: LassoLars(alpha=0.1),
    "lassolarsic": LassoLarsIC,
    "omp": lambda: OrthogonalMatchingPursuit(n_nonzero_coefs=3),
    "bayesridge": BayesianRidge,
    "ard": ARDRegression,
    "huber": lambda: HuberRegressor(max_iter=1000),
    "quantile": lambda: QuantileRegressor(quantile=0.7, alpha=0.01),
    "theilsen": lambda: TheilSenRegressor(max_subpopulation=200, random_state=0),
    "sgdreg": lambda: SGDRegressor(random_state=0),
    "linearsvr": lambda: LinearSVR(C=1.0, max_iter=20000, random_state=0),
}

GLMS: dict[str, Callable[[], Any]] = {
    "poisson": lambda: PoissonRegressor(alpha=0.1),
    "gamma": lambda: GammaRegressor(alpha=0.1),
    "tweedie_p0_auto": lambda: TweedieRegressor(power=0, alpha=0.1),
    "tweedie_p0_log": lambda: TweedieRegressor(power=0, link="log", alpha=0.1),
    "tweedie_p1_auto": lambda: TweedieRegressor(power=1, alpha=0.1),
    "tweedie_p1_identity": lambda: TweedieRegressor(power=1, link="identity", alpha=0.1),
    "tweedie_p2_auto": lambda: TweedieRegressor(power=2, alpha=0.1),
    "tweedie_p3_auto": lambda: TweedieRegressor(power=3, alpha=0.1),
}

CASES: dict[str, Case] = {
    "linreg_diabetes_raw": lambda: _fit(LinearRegression(), "diabetes"),
    "ridge_diabetes_raw": lambda: _fit(Ridge(alpha=0.1), "diabetes"),
    "poisson_diabetes": lambda: _fit(PoissonRegressor(alpha=0.1), "diabetes", scale=True),
    "logreg_binary": lambda: _fit(LogisticRegression(max_iter=2000), "breast_cancer", scale=True),
    "logreg_multinomial": lambda: _fit(LogisticRegression(max_iter=2000), "iris"),
    "logreg_string_labels": lambda: _fit(LogisticRegression(max_iter=2000), "iris_named_labels"),
    "logreg_float_labels": _labels("iris", "float"),
    "logreg_int_labels_binary": _labels("breast_cancer", "int"),
    "logregcv_binary": lambda: _fit(LogisticRegressionCV(cv=3, Cs=4, max_iter=2000), "breast_cancer", scale=True),
    "logregcv_multinomial": lambda: _fit(LogisticRegressionCV(cv=3, Cs=4, max_iter=2000), "wine", scale=True),
    "sgd_hinge_binary": lambda: _fit(SGDClassifier(random_state=0), "breast_cancer", scale=True),
    "sgd_hinge_multi": lambda: _fit(SGDClassifier(random_state=0), "iris_named_labels", scale=True),
    "sgd_log_binary": lambda: _fit(SGDClassifier(loss="log_loss", random_state=0), "breast_cancer", scale=True),
    "sgd_log_multi": lambda: _fit(SGDClassifier(loss="log_loss", random_state=0), "wine", scale=True),
    "sgd_mhuber_binary": lambda: _fit(SGDClassifier(loss="modified_huber", random_state=0), "breast_cancer", scale=True),
    "sgd_mhuber_multi": lambda: _fit(SGDClassifier(loss="modified_huber", random_state=0), "iris", scale=True),
    "ridgeclf_binary": lambda: _fit(RidgeClassifier(alpha=1.0), "breast_cancer", scale=True),
    "ridgeclf_multi": lambda: _fit(RidgeClassifier(alpha=1.0), "iris_named_labels"),
    "ridgeclfcv_multi": lambda: _fit(RidgeClassifierCV(alphas=(0.1, 1.0, 10.0)), "wine", scale=True),
    "perceptron_binary": lambda: _fit(Perceptron(random_state=0), "breast_cancer", scale=True),
    "perceptron_multi": lambda: _fit(Perceptron(random_state=0), "wine", scale=True),
    "linearsvc_binary": lambda: _fit(LinearSVC(max_iter=20000, random_state=0), "breast_cancer", scale=True),
    "linearsvc_multi": lambda: _fit(LinearSVC(max_iter=20000, random_state=0), "iris"),
    "linearsvc_crammer": lambda: _fit(LinearSVC(multi_class="crammer_singer", max_iter=20000), "wine", scale=True),
    # NULL-laden scoring frames: every NULL row must come back NULL.
    "logreg_mixed": lambda: _fit_mixed(LogisticRegression(), "binary"),
    "logreg_mixed_multi": lambda: _fit_mixed(LogisticRegression(), "multi"),
    "sgd_log_mixed_multi": lambda: _fit_mixed(SGDClassifier(loss="log_loss", random_state=0), "multi"),
    "sgd_mhuber_mixed": lambda: _fit_mixed(SGDClassifier(loss="modified_huber", random_state=0), "binary"),
    "ridgeclf_mixed": lambda: _fit_mixed(RidgeClassifier(), "binary"),
    "linearsvc_mixed_multi": lambda: _fit_mixed(LinearSVC(random_state=0), "multi"),
    # LinearDiscriminantAnalysis (a linear classifier with expit / softmax probabilities) and
    # GaussianNB (per-class log-likelihoods, normalised by logsumexp)
    "lda_binary": lambda: _fit(LinearDiscriminantAnalysis(), "breast_cancer"),
    "lda_multiclass_lsqr": lambda: _fit(LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto"), "wine"),
    "lda_string_labels": lambda: _fit(LinearDiscriminantAnalysis(), "iris_named_labels"),
    "lda_mixed": lambda: _fit_mixed(LinearDiscriminantAnalysis(), "multi"),
    "gaussian_nb_binary": lambda: _fit(GaussianNB(), "breast_cancer"),
    "gaussian_nb_multiclass": lambda: _fit(GaussianNB(), "wine"),
    "gaussian_nb_priors": lambda: _fit(GaussianNB(priors=[0.2, 0.3, 0.5], var_smoothing=1e-3), "iris_named_labels"),
    "gaussian_nb_mixed": lambda: _fit_mixed(GaussianNB(), "multi"),
    # discrete naive Bayes: linear joint log-likelihoods, the same normalisation
    "multinomial_nb_wine": lambda: _fit(MultinomialNB(), "wine"),
    "multinomial_nb_labels": lambda: _fit(MultinomialNB(alpha=0.1, fit_prior=False), "iris_named_labels"),
    "complement_nb_norm": lambda: _fit(ComplementNB(norm=True), "wine"),
    "complement_nb_binary": lambda: _fit(ComplementNB(), "breast_cancer"),
    "bernoulli_nb_binarize": lambda: _fit(BernoulliNB(binarize=0.0), "breast_cancer", scale=True),
    "bernoulli_nb_mixed": lambda: _fit_mixed(BernoulliNB(binarize=0.0), "multi"),
    "categorical_nb_codes": _categorical_nb,
    # QuadraticDiscriminantAnalysis (a quadratic form per class, normalised as predict_log_proba)
    "qda_binary": lambda: _fit(QuadraticDiscriminantAnalysis(reg_param=0.01), "breast_cancer"),
    "qda_multiclass_reg": lambda: _fit(QuadraticDiscriminantAnalysis(reg_param=0.1), "wine"),
    "qda_string_labels": lambda: _fit(QuadraticDiscriminantAnalysis(priors=[0.5, 0.3, 0.2]), "iris_named_labels"),
    "qda_eigen_shrinkage": lambda: _fit(QuadraticDiscriminantAnalysis(solver="eigen", shrinkage="auto"), "wine"),
    "qda_mixed": lambda: _fit_mixed(QuadraticDiscriminantAnalysis(reg_param=0.5), "multi"),
    # NearestCentroid: nearest centroid (uniform priors) or discriminant scores (other priors)
    "nearest_centroid_iris": lambda: _fit(NearestCentroid(), "iris"),
    "nearest_centroid_binary": lambda: _fit(NearestCentroid(), "breast_cancer"),
    "nearest_centroid_manhattan": lambda: _fit(NearestCentroid(metric="manhattan"), "wine"),
    "nearest_centroid_priors_string_labels": lambda: _fit(NearestCentroid(priors=[0.2, 0.3, 0.5]), "iris_named_labels"),
    "nearest_centroid_empirical_shrink": lambda: _fit(NearestCentroid(priors="empirical", shrink_threshold=0.2), "wine", scale=True),
    "nearest_centroid_mixed": lambda: _fit_mixed(NearestCentroid(), "multi"),
    # SGDOneClassSVM: a linear outlier detector
    "sgd_one_class_svm": lambda: _fit(SGDOneClassSVM(nu=0.1, random_state=0), "breast_cancer", scale=True),
}


def _mixed_case(make: Callable[[], Any], target: str) -> Case:
    return lambda: _fit_mixed(make(), target)


for _name, _make in REGRESSORS.items():
    CASES[f"{_name}_mixed"] = _mixed_case(_make, "reg")
for _name, _make in GLMS.items():
    CASES[f"{_name}_mixed"] = _mixed_case(_make, "positive")

fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_linear_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


def _all_zero_model(loss: str) -> tuple[Any, pd.DataFrame]:
    """A multiclass SGDClassifier whose class scores are all very negative on some rows.

    Coefficients are made positive so that a row of large negative values drives every score
    below -1 (modified_huber's zero-sum rule) or below -745 (expit underflows to 0, so
    ``_predict_proba_lr`` takes its uniform branch)."""
    X, y = datasets.iris()
    est = SGDClassifier(loss=loss, random_state=0).fit(X, y)
    est.coef_ = np.abs(est.coef_) + 0.1
    rows = pd.DataFrame(-np.outer([1.0, 10.0, 1e3, 1e4], np.ones(X.shape[1])), columns=X.columns)
    return est, pd.concat([X.iloc[::5], rows], ignore_index=True)


@pytest.mark.parametrize("loss", ["log_loss", "modified_huber"])
def test_ovr_normalisation_all_zero_rows(loss: str, engine: Engine) -> None:
    est, X = _all_zero_model(loss)
    p = est.predict_proba(X)
    assert np.allclose(p[-1], 1 / 3)  # the data really reaches the special case
    check_parity(est, X, engine)


def test_log_link_overflow_is_null(engine: Engine) -> None:
    """exp() of a score above ln(DBL_MAX) is inf in NumPy; SQL engines raise, so it is NULL."""
    X, y = datasets.diabetes()
    est = PoissonRegressor(alpha=0.1).fit(X, y)
    big = X.iloc[:3].copy()
    big.iloc[:, :] = 1e6 * np.sign(est.coef_)
    data = pd.concat([X.iloc[:20], big], ignore_index=True)
    want = est.predict(data)
    assert np.isinf(want[-3:]).all() and np.isfinite(want[:-3]).all()
    table = engine.new_table_name()
    engine.create_table(table, {KEY: list(range(len(data))), **{c: data[c].tolist() for c in data.columns}})
    try:
        got = engine.query(skl2sql.compile(est, table=table, dialect=engine.dialect, keep=[KEY]).sql)
    finally:
        engine.drop_table(table)
    pred = got["prediction"][np.argsort(got[KEY].astype(float))]
    assert np.isnan(pred[-3:]).all()
    np.testing.assert_allclose(pred[:-3], want[:-3], rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    "est",
    [Ridge(), Lasso(), LinearRegression()],
    ids=["ridge", "lasso", "linreg"],
)
def test_multi_target_linear_models(est: Any) -> None:
    """Two targets: one ``prediction_<i>`` per target, as ``predict``'s columns (IR; the engines
    run multi-target models in test_parity_multioutput.py)."""
    X, y = datasets.diabetes()
    est.fit(X, np.column_stack([y, y * 2]))
    compiled = check_parity(est, X, None)
    assert compiled.outputs == ["prediction_0", "prediction_1"] and compiled.kind == "multioutput"
