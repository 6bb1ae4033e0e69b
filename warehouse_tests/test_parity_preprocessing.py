"""Parity of numeric preprocessing, imputers, expansions, selectors and their composition.

Every case is fitted once (small data: a few hundred rows) and checked on every engine: the
transformer alone (outputs = its output features, compared with ``transform``) and, for most, inside
a Pipeline ending in a linear model. Scoring frames carry NULLs, huge and tiny magnitudes and hostile
column names (``datasets.mixed``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.decomposition import PCA, FactorAnalysis, FastICA, IncrementalPCA, TruncatedSVD
from sklearn.feature_selection import (
    RFE,
    RFECV,
    GenericUnivariateSelect,
    SelectFdr,
    SelectFpr,
    SelectFromModel,
    SelectFwe,
    SelectKBest,
    SelectPercentile,
    SequentialFeatureSelector,
    VarianceThreshold,
    f_classif,
)
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import (
    Binarizer,
    FunctionTransformer,
    KBinsDiscretizer,
    MaxAbsScaler,
    MinMaxScaler,
    Normalizer,
    OneHotEncoder,
    PolynomialFeatures,
    PowerTransformer,
    QuantileTransformer,
    RobustScaler,
    SplineTransformer,
    StandardScaler,
)
from sklearn.random_projection import GaussianRandomProjection, SparseRandomProjection

import datasets
import skl2sql
from engines import Engine
from parity import case_cache, check_parity
from skl2sql.errors import UnsupportedEstimatorError

NUM = datasets.HOSTILE_NUMERIC[:3]


def _mixed_numeric() -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    train, score, yc, yr = datasets.mixed()
    return train[NUM], score[NUM], yc, yr


def _score_clean() -> pd.DataFrame:
    """Scoring rows of the numeric columns without NULLs (for transformers that refuse NaN, a
    clean frame keeps most rows non-NULL so numbers are actually compared)."""
    _, score, _, _ = _mixed_numeric()
    return score.dropna().reset_index(drop=True)


def _transformer(est: Any) -> tuple[Any, pd.DataFrame]:
    train, score, _, _ = _mixed_numeric()
    return est.fit(train), score


def _clf(*steps: Any) -> tuple[Any, pd.DataFrame]:
    train, score, yc, _ = _mixed_numeric()
    return make_pipeline(*steps, LogisticRegression(max_iter=5000)).fit(train, yc), score


def _reg(*steps: Any) -> tuple[Any, pd.DataFrame]:
    train, score, _, yr = _mixed_numeric()
    return make_pipeline(*steps, LinearRegression()).fit(train, yr), score


def _iris(est: Any) -> tuple[Any, pd.DataFrame]:
    X, _ = datasets.iris()
    return est.fit(X), X


def _positive(est: Any) -> tuple[Any, pd.DataFrame]:
    """Strictly positive data (for box-cox), scored with some rows <= 0 and NULLs."""
    X, _ = datasets.diabetes()
    X = X.iloc[:, :4] + 1.0
    score = X.iloc[:120].copy().reset_index(drop=True)
    score.iloc[3, 1] = 0.0
    score.iloc[5, 2] = -0.5
    score.iloc[7, 0] = np.nan
    return est.fit(X), score


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    # scalers
    "standard": lambda: _transformer(StandardScaler()),
    "standard_no_mean": lambda: _transformer(StandardScaler(with_mean=False)),
    "standard_no_std": lambda: _transformer(StandardScaler(with_std=False)),
    "minmax": lambda: _transformer(MinMaxScaler()),
    "minmax_range_clip": lambda: _transformer(MinMaxScaler(feature_range=(-2, 3), clip=True)),
    "maxabs": lambda: _transformer(MaxAbsScaler()),
    "robust": lambda: _transformer(RobustScaler()),
    "robust_options": lambda: _transformer(RobustScaler(with_centering=False, quantile_range=(10.0, 80.0))),
    "robust_no_scaling": lambda: _transformer(RobustScaler(with_scaling=False)),
    "pipe_minmax_logreg": lambda: _clf(MinMaxScaler(clip=True)),
    "pipe_robust_linreg": lambda: _reg(RobustScaler(), MaxAbsScaler()),
    # row-wise and element-wise transforms
    "normalizer_l2": lambda: _iris(Normalizer()),
    "normalizer_l1": lambda: _iris(Normalizer(norm="l1")),
    "normalizer_max": lambda: _iris(Normalizer(norm="max")),
    "normalizer_nulls": lambda: _transformer(Normalizer()),
    "binarizer": lambda: _transformer(Binarizer(threshold=0.5)),
    "binarizer_iris": lambda: _iris(Binarizer(threshold=3.0)),
    "power_yj": lambda: _transformer(PowerTransformer()),
    "power_yj_raw": lambda: _iris(PowerTransformer(standardize=False)),
    "power_boxcox": lambda: _positive(PowerTransformer(method="box-cox")),
    "power_boxcox_raw": lambda: _positive(PowerTransformer(method="box-cox", standardize=False)),
    "quantile_uniform": lambda: _transformer(QuantileTransformer(n_quantiles=50)),
    "quantile_normal": lambda: _transformer(QuantileTransformer(n_quantiles=60, output_distribution="normal")),
    "quantile_iris_repeats": lambda: _iris(QuantileTransformer(n_quantiles=40)),
    "quantile_iris_normal": lambda: _iris(QuantileTransformer(n_quantiles=150, output_distribution="normal")),
    "func_none": lambda: _transformer(FunctionTransformer()),
    "func_none_validate": lambda: _transformer(FunctionTransformer(validate=True)),
    "func_log1p": lambda: _iris(FunctionTransformer(np.log1p)),
    "func_log": lambda: _transformer(FunctionTransformer(np.log)),
    "func_sqrt": lambda: _transformer(FunctionTransformer(np.sqrt, validate=True)),
    "func_square": lambda: _transformer(FunctionTransformer(np.square)),
    "func_misc_iris": lambda: _iris(
        make_pipeline(
            FunctionTransformer(np.negative),
            FunctionTransformer(np.abs),
            FunctionTransformer(np.reciprocal),
            FunctionTransformer(np.expm1),
            FunctionTransformer(np.log10),
        )
    ),
    "func_exp_iris": lambda: _iris(FunctionTransformer(np.exp)),
    "pipe_power_logreg": lambda: _clf(PowerTransformer()),
    "pipe_quantile_logreg": lambda: _clf(QuantileTransformer(n_quantiles=30, output_distribution="normal")),
}
fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_preprocessing_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


# --- imputers ---------------------------------------------------------------------------------

CAT = ["colour", datasets.HOSTILE_NUMERIC[3]]


def _imputer(est: Any, cols: list[str] | None = None) -> tuple[Any, pd.DataFrame]:
    train, score, _, _ = datasets.mixed()
    cols = cols or NUM
    return est.fit(train[cols]), score[cols]


def _with_train_nans(est: Any, sentinel: float | None = None) -> tuple[Any, pd.DataFrame]:
    """Training data with missing values in two of three columns (so indicators differ)."""
    train, score, _, _ = _mixed_numeric()
    train = train.copy()
    marker = np.nan if sentinel is None else sentinel
    train.iloc[::7, 0] = marker
    train.iloc[::11, 2] = marker
    score = score.copy()
    if sentinel is not None:
        score.iloc[::9, 0] = sentinel
        score.iloc[::13, 1] = sentinel
    return est.fit(train), score


def _empty_column(est: Any) -> tuple[Any, pd.DataFrame]:
    train, score, _, _ = _mixed_numeric()
    train = train.copy()
    train["empty"] = np.nan
    score = score.copy()
    score["empty"] = np.where(np.arange(len(score)) % 5 == 0, 1.5, np.nan)
    return est.fit(train), score


def _clf_mixed(*steps: Any) -> tuple[Any, pd.DataFrame]:
    train, score, yc, _ = datasets.mixed()
    return make_pipeline(*steps, LogisticRegression(max_iter=5000)).fit(train[NUM], yc), score[NUM]


IMPUTER_CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "imp_mean": lambda: _imputer(SimpleImputer()),
    "imp_median": lambda: _imputer(SimpleImputer(strategy="median")),
    "imp_most_frequent_num": lambda: _imputer(SimpleImputer(strategy="most_frequent")),
    "imp_constant_num": lambda: _imputer(SimpleImputer(strategy="constant", fill_value=-7.25)),
    "imp_most_frequent_text": lambda: _imputer(SimpleImputer(strategy="most_frequent"), CAT),
    "imp_constant_text": lambda: _imputer(SimpleImputer(strategy="constant", fill_value="it's missing"), CAT),
    "imp_constant_text_default": lambda: _imputer(SimpleImputer(strategy="constant"), CAT),
    "imp_indicator": lambda: _with_train_nans(SimpleImputer(add_indicator=True)),
    "imp_sentinel": lambda: _with_train_nans(SimpleImputer(missing_values=-1.0, add_indicator=True), -1.0),
    "imp_empty_dropped": lambda: _empty_column(SimpleImputer()),
    "imp_empty_kept": lambda: _empty_column(SimpleImputer(keep_empty_features=True)),
    "indicator_missing_only": lambda: _with_train_nans(MissingIndicator()),
    "indicator_all": lambda: _with_train_nans(MissingIndicator(features="all")),
    "indicator_no_error_on_new": lambda: _with_train_nans(MissingIndicator(error_on_new=False)),
    "pipe_impute_scale_logreg": lambda: _clf_mixed(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()),
}
CASES.update(IMPUTER_CASES)


@pytest.mark.parametrize("case", sorted(IMPUTER_CASES))
def test_imputer_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


# --- selectors --------------------------------------------------------------------------------


def _sel_clf(est: Any) -> tuple[Any, pd.DataFrame]:
    train, score, yc, _ = _mixed_numeric()
    return est.fit(train, yc), score


def _sel_reg(est: Any) -> tuple[Any, pd.DataFrame]:
    train, score, _, yr = _mixed_numeric()
    return est.fit(train, yr), score


def _sel_wine(est: Any) -> tuple[Any, pd.DataFrame]:
    X, y = datasets.wine()
    return est.fit(X, y), X


SELECTOR_CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "sel_variance": lambda: _sel_wine(VarianceThreshold(threshold=0.5)),
    "sel_variance_nulls": lambda: _sel_clf(VarianceThreshold()),
    "sel_kbest": lambda: _sel_clf(SelectKBest(f_classif, k=2)),
    "sel_percentile": lambda: _sel_wine(SelectPercentile(f_classif, percentile=30)),
    "sel_generic": lambda: _sel_wine(GenericUnivariateSelect(f_classif, mode="k_best", param=4)),
    "sel_fpr": lambda: _sel_wine(SelectFpr(f_classif, alpha=1e-10)),
    "sel_fdr": lambda: _sel_wine(SelectFdr(f_classif, alpha=1e-10)),
    "sel_fwe": lambda: _sel_wine(SelectFwe(f_classif, alpha=1e-10)),
    "sel_from_model": lambda: _sel_reg(SelectFromModel(LinearRegression(), max_features=2, threshold=-np.inf)),
    "sel_rfe": lambda: _sel_wine(RFE(LinearRegression(), n_features_to_select=5, step=2)),
    "sel_rfe_logreg_nulls": lambda: _sel_clf(RFE(LogisticRegression(max_iter=5000), n_features_to_select=2)),
    "sel_rfecv": lambda: _sel_reg(RFECV(LinearRegression(), cv=3)),
    "sel_sequential": lambda: _sel_reg(SequentialFeatureSelector(LinearRegression(), n_features_to_select=2, cv=3)),
    "pipe_select_logreg": lambda: _clf(StandardScaler(), SelectKBest(f_classif, k=2)),
}
CASES.update(SELECTOR_CASES)


@pytest.mark.parametrize("case", sorted(SELECTOR_CASES))
def test_selector_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


# --- expansions -------------------------------------------------------------------------------


def _iris_edges(est: Any) -> tuple[Any, pd.DataFrame]:
    """Iris, scored with rows placed exactly on every fitted bin edge, plus NULLs."""
    X, _ = datasets.iris()
    est.fit(X)
    extra = []
    for e in range(max(len(b) for b in est.bin_edges_)):
        extra.append([float(b[min(e, len(b) - 1)]) for b in est.bin_edges_])
    score = pd.concat([X, pd.DataFrame(extra, columns=X.columns)], ignore_index=True)
    score.iloc[2, 1] = np.nan
    return est, score


EXPANSION_CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "poly_2": lambda: _iris(PolynomialFeatures()),
    "poly_3_interaction": lambda: _iris(PolynomialFeatures(degree=3, interaction_only=True, include_bias=False)),
    "poly_min_degree": lambda: _iris(PolynomialFeatures(degree=(2, 3))),
    "poly_nulls": lambda: _transformer(PolynomialFeatures(degree=2)),
    "kbins_uniform_ordinal": lambda: _iris_edges(KBinsDiscretizer(n_bins=5, strategy="uniform", encode="ordinal")),
    "kbins_quantile_onehot": lambda: _iris_edges(KBinsDiscretizer(n_bins=4, encode="onehot", quantile_method="averaged_inverted_cdf")),
    "kbins_kmeans_dense": lambda: _iris_edges(KBinsDiscretizer(n_bins=3, strategy="kmeans", encode="onehot-dense")),
    "kbins_quantile_linear": lambda: _iris_edges(KBinsDiscretizer(n_bins=6, encode="ordinal", quantile_method="linear")),
    "pipe_poly_linreg": lambda: _reg(StandardScaler(), PolynomialFeatures(degree=2)),
    "pipe_kbins_logreg": lambda: _clf(KBinsDiscretizer(n_bins=4, encode="onehot", quantile_method="averaged_inverted_cdf")),
}
CASES.update(EXPANSION_CASES)


@pytest.mark.parametrize("case", sorted(EXPANSION_CASES))
def test_expansion_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


# --- splines ----------------------------------------------------------------------------------


def _spline(est: Any, nulls: bool = False) -> tuple[Any, pd.DataFrame]:
    """Fitted on iris; scored on iris, on every knot, and beyond both ends of the knots."""
    X, _ = datasets.iris()
    X = X.iloc[:, :2]
    est.fit(X)
    lo, hi = X.min(), X.max()
    extra = [lo - 1.3, hi + 0.7, lo - 0.01, hi + 5.0, (lo + hi) / 2]
    for s in est.bsplines_[:1]:
        for knot in s.t:
            extra.append(pd.Series([knot, knot], index=X.columns))
    score = pd.concat([X, pd.DataFrame(extra, columns=X.columns)], ignore_index=True)
    if nulls:
        score.iloc[4, 0] = np.nan
        score.iloc[9, 1] = np.nan
    return est, score


SPLINE_CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "spline_constant": lambda: _spline(SplineTransformer(n_knots=5, degree=3, extrapolation="constant")),
    "spline_linear": lambda: _spline(SplineTransformer(n_knots=4, degree=2, extrapolation="linear", include_bias=False)),
    "spline_linear_deg1": lambda: _spline(SplineTransformer(n_knots=4, degree=1, extrapolation="linear")),
    "spline_continue": lambda: _spline(SplineTransformer(n_knots=6, degree=3, extrapolation="continue")),
    "spline_periodic": lambda: _spline(SplineTransformer(n_knots=5, degree=3, extrapolation="periodic")),
    "spline_error_nulls": lambda: _spline(SplineTransformer(n_knots=5, extrapolation="error"), nulls=True),
    "spline_quantile_knots": lambda: _spline(SplineTransformer(n_knots=5, knots="quantile", degree=2)),
    "pipe_spline_linreg": lambda: _reg(SplineTransformer(n_knots=4, degree=3)),
}
CASES.update(SPLINE_CASES)


@pytest.mark.parametrize("case", sorted(SPLINE_CASES))
def test_spline_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


# --- composition --------------------------------------------------------------------------------


def _ct(est: Any, cols: list[str] | None = None, y: str = "class") -> tuple[Any, pd.DataFrame]:
    train, score, yc, yr = datasets.mixed()
    cols = cols or NUM
    target = yc if y == "class" else yr
    if y == "none":
        return est.fit(train[cols]), score[cols]
    return est.fit(train[cols], target), score[cols]


def _numpy_fitted() -> tuple[Any, pd.DataFrame]:
    """A pipeline fitted on a bare NumPy array: compiled with ``features=[...]`` (see the test)."""
    train, score, yc, _ = _mixed_numeric()
    est = make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression(max_iter=5000))
    return est.fit(train.to_numpy(), yc), score


COMPOSITION_CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "ct_names_drop": lambda: _ct(
        ColumnTransformer([("s", StandardScaler(), [NUM[0], NUM[1]]), ("m", MinMaxScaler(), [NUM[2]])]), y="none"
    ),
    "ct_index_passthrough": lambda: _ct(
        ColumnTransformer([("s", RobustScaler(), [0]), ("p", PowerTransformer(), [2])], remainder="passthrough"), y="none"
    ),
    "ct_mask_remainder_transformer": lambda: _ct(
        ColumnTransformer([("s", StandardScaler(), [True, False, True])], remainder=MaxAbsScaler()), y="none"
    ),
    "ct_selector_text_and_numbers": lambda: _ct(
        make_pipeline(
            ColumnTransformer(
                [
                    ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), make_column_selector(dtype_include=np.number)),
                    ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), make_column_selector(dtype_exclude=np.number)),
                ]
            ),
            LogisticRegression(max_iter=5000),
        ),
        [*NUM, *CAT],
    ),
    "feature_union_weights": lambda: _ct(
        make_pipeline(
            SimpleImputer(),
            FeatureUnion(
                [("std", StandardScaler()), ("poly", make_pipeline(MinMaxScaler(), PolynomialFeatures(2))), ("sel", SelectKBest(f_classif, k=1))],
                transformer_weights={"std": 2.0, "poly": 0.5},
            ),
            LogisticRegression(max_iter=5000),
        )
    ),
    "nested_pipelines": lambda: _ct(
        make_pipeline(
            make_pipeline(SimpleImputer(add_indicator=True), make_pipeline(QuantileTransformer(n_quantiles=20), StandardScaler())),
            make_pipeline(VarianceThreshold(), LinearRegression()),
        ),
        y="reg",
    ),
}
CASES.update(COMPOSITION_CASES)


@pytest.mark.parametrize("case", sorted(COMPOSITION_CASES))
def test_composition_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


_numpy_case = case_cache({"numpy_fitted": _numpy_fitted})


def test_numpy_fitted_model_with_features(engine: Engine) -> None:
    est, X = _numpy_case("numpy_fitted")
    # sklearn only warns when a DataFrame meets a model fitted on an array; the SQL needs names.
    check_parity(est, X, engine, features=list(X.columns))



# --- values sklearn makes infinite, and what does not compile -----------------------------------


def test_infinite_results_are_null(engine: Engine) -> None:
    """``np.log(0)`` is -inf, ``np.reciprocal(0)`` inf, ``np.exp(1000)`` inf: SQL gives NULL."""
    X = pd.DataFrame({"a": [0.0, 1.0, -2.0, None], "b": [0.0, 2.0, 1000.0, 3.0]})
    est = FunctionTransformer(np.log).fit(X)
    recip = FunctionTransformer(np.reciprocal).fit(X)
    expo = FunctionTransformer(np.exp).fit(X)
    table = engine.new_table_name()
    engine.create_table(table, {"row_id": [0, 1, 2, 3], "a": X["a"].tolist(), "b": X["b"].tolist()})
    try:
        for t, want_a, want_b in (
            (est, [None, 0.0, None, None], [None, np.log(2.0), np.log(1000.0), np.log(3.0)]),
            (recip, [None, 1.0, -0.5, None], [None, 0.5, 1e-3, 1 / 3]),
            (expo, [1.0, np.e, np.exp(-2.0), None], [1.0, np.exp(2.0), None, np.exp(3.0)]),
        ):
            sql = skl2sql.compile(t, table=table, dialect=engine.dialect, keep=["row_id"]).sql
            got = engine.query(sql)
            order = np.argsort(got["row_id"])
            for name, want in (("a", want_a), ("b", want_b)):
                for g, w in zip(got[name][order], want, strict=True):
                    if w is None:
                        assert g is None or np.isnan(g), (name, g)
                    else:
                        assert abs(g - w) <= 1e-9 + 1e-9 * abs(w), (name, g, w)
    finally:
        engine.drop_table(table)


@pytest.mark.parametrize(
    "est",
    [
        FunctionTransformer(np.sin),
        FunctionTransformer(np.log, kw_args={"where": True}),
        KBinsDiscretizer(n_bins=3, dtype=np.float32, quantile_method="averaged_inverted_cdf"),
    ],
    ids=["func_sin", "kw_args", "kbins_float32"],
)
def test_unsupported_settings_raise(est: Any) -> None:
    X, _ = datasets.iris()
    est.fit(X)
    with pytest.raises(UnsupportedEstimatorError, match=type(est).__name__):
        skl2sql.compile(est, table="t")


# --- linear projections -------------------------------------------------------------------------

DECOMPOSITION_CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "pca_iris": lambda: _iris(PCA(n_components=3)),
    "pca_whiten_iris": lambda: _iris(PCA(n_components=2, whiten=True)),
    "pca_nulls": lambda: _transformer(PCA(n_components=3)),
    "incremental_pca_iris": lambda: _iris(IncrementalPCA(n_components=2, batch_size=50)),
    "truncated_svd_iris": lambda: _iris(TruncatedSVD(n_components=2, random_state=0)),
    "pipe_scaler_pca_logreg": lambda: _clf(StandardScaler(), PCA(n_components=2)),
    "pipe_pca_whiten_linreg": lambda: _reg(StandardScaler(), PCA(n_components=3, whiten=True)),
    "fast_ica_iris": lambda: _iris(FastICA(n_components=3, random_state=0)),
    "fast_ica_unwhitened_nulls": lambda: _transformer(FastICA(n_components=2, whiten=False, random_state=0)),
    "factor_analysis_iris": lambda: _iris(FactorAnalysis(n_components=2, random_state=0)),
    "pipe_factor_analysis_logreg": lambda: _clf(StandardScaler(), FactorAnalysis(n_components=3, random_state=0)),
    "gaussian_random_projection_iris": lambda: _iris(GaussianRandomProjection(n_components=3, random_state=0)),
    "sparse_random_projection_nulls": lambda: _transformer(SparseRandomProjection(n_components=3, random_state=0)),
}
CASES.update(DECOMPOSITION_CASES)


@pytest.mark.parametrize("case", sorted(DECOMPOSITION_CASES))
def test_decomposition_parity(case: str, engine: Engine) -> None:
    """Dot products summed left to right, where NumPy's BLAS may block them differently: the
    1e-9 tolerance holds for these data (magnitudes up to ~300, means up to 50: the centering
    cancels little); see docs/preprocessing.md for data where it would not."""
    est, X = fitted(case)
    check_parity(est, X, engine)
