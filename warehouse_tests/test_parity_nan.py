"""A NaN stored in the warehouse is a missing value, as in sklearn; an infinity is refused where
sklearn refuses it.

DuckDB and PostgreSQL keep real NaN in float columns (a Parquet or Arrow file written by Spark or
Polars, ``'NaN'::float8``), and there NaN is not NULL: it sorts above every number and poisons every
sum, so a model compiled as if only NULL could be missing would route it as a huge value or return
NaN with a label. sklearn reads NaN as the missing value, so every input the compiler reads as a
number turns a stored NaN into NULL first (``Cast(..., "number")``, lowered per dialect).

Each case is scored twice on each engine: with the missing cells loaded as NULL (the usual parity
check) and with the same cells stored as NaN; both must equal the estimator's own outputs on the
frame with NaN. SQLite and MariaDB are not here: they cannot store NaN (SQLite keeps NULL, MariaDB
refuses the value).

±infinity: sklearn's input validation refuses it for nearly every estimator ("Input X contains
infinity"), so those rows must be NULL; HistGradientBoosting, IsolationForest, LightGBM and
XGBoost take it as a value. DuckDB, PostgreSQL and SQLite store infinities (MariaDB cannot).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import get_engine
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.tree import DecisionTreeRegressor

import skl2sql
from parity import case_cache, check_parity

NAN_ENGINES = ("duckdb", "postgres")
NUMERIC = ["a", "b", "c"]


def frame(n: int = 400, seed: int = 7) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Three float columns with ~15% NaN each, a numeric code column with NaN as a category and
    a text column; a binary and a continuous target that depend on the missingness too."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "a": rng.normal(0, 1, n),
            "b": rng.normal(10, 3, n),
            "c": rng.exponential(2.0, n),
            "code": rng.choice([1.0, 2.0, 5.0], n),
            "colour": rng.choice(["red", "green", "blue"], n).astype(object),
        }
    )
    for col in ["a", "b", "c", "code"]:
        X.loc[rng.random(n) < 0.15, col] = np.nan
    score = X["a"].fillna(1.5) - 0.2 * (X["b"].fillna(4.0) - 10) + X["code"].isna() * 0.8
    y = (score + rng.logistic(0, 0.5, n) > 0).astype(int).to_numpy()
    return X, y, score.to_numpy() + rng.normal(0, 0.1, n)


def _imputed_logistic() -> tuple[Any, pd.DataFrame]:
    X, y, _ = frame()
    est = make_pipeline(SimpleImputer(strategy="mean", add_indicator=True), StandardScaler(), LogisticRegression())
    return est.fit(X[NUMERIC], y), X[NUMERIC]


def _scaler_passthrough() -> tuple[Any, pd.DataFrame]:
    X, _, _ = frame()
    return StandardScaler().fit(X[NUMERIC]), X[NUMERIC]


def _logistic_refuses() -> tuple[Any, pd.DataFrame]:
    """sklearn refuses a row with NaN: those rows must come back NULL, not a number."""
    X, y, _ = frame()
    clean = X[NUMERIC].dropna()
    est = LogisticRegression().fit(clean, y[clean.index])
    return est, X[NUMERIC]


def _encoders() -> tuple[Any, pd.DataFrame]:
    """NaN is a category of the numeric ``code`` column (seen at fit)."""
    X, y, _ = frame()
    pre = ColumnTransformer(
        [
            ("num", SimpleImputer(strategy="median"), ["a", "b"]),
            ("code", OneHotEncoder(handle_unknown="ignore"), ["code"]),
            ("ord", OrdinalEncoder(encoded_missing_value=-1), ["code"]),
            ("cat", OneHotEncoder(), ["colour"]),
        ]
    )
    return Pipeline([("pre", pre), ("clf", LogisticRegression(max_iter=500))]).fit(X, y), X


def _hgb() -> tuple[Any, pd.DataFrame]:
    X, y, _ = frame()
    return HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X[NUMERIC], y), X[NUMERIC]


def _decision_tree() -> tuple[Any, pd.DataFrame]:
    X, _, target = frame()
    return DecisionTreeRegressor(max_depth=6, random_state=0).fit(X[NUMERIC], target), X[NUMERIC]


def _random_forest() -> tuple[Any, pd.DataFrame]:
    X, y, _ = frame()
    est = RandomForestClassifier(n_estimators=8, max_depth=5, random_state=0, n_jobs=1)
    return est.fit(X[NUMERIC], y), X[NUMERIC]


def _gradient_boosting_refuses() -> tuple[Any, pd.DataFrame]:
    X, _, target = frame()
    clean = X[NUMERIC].dropna()
    est = GradientBoostingRegressor(n_estimators=10, max_depth=3, random_state=0)
    return est.fit(clean, target[clean.index]), X[NUMERIC]


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "imputer_logistic": _imputed_logistic,
    "scaler_passthrough": _scaler_passthrough,
    "logistic_refuses_nan": _logistic_refuses,
    "encoders_nan_category": _encoders,
    "hist_gradient_boosting": _hgb,
    "decision_tree_missing_routing": _decision_tree,
    "random_forest_missing_routing": _random_forest,
    "gradient_boosting_refuses_nan": _gradient_boosting_refuses,
}
fitted = case_cache(CASES)


@pytest.mark.parametrize("stored_nan", [False, True], ids=["null", "nan"])
@pytest.mark.parametrize("engine_name", NAN_ENGINES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_stored_nan_is_missing(case: str, engine_name: str, stored_nan: bool) -> None:
    est, X = fitted(case)
    check_parity(est, X, get_engine(engine_name), stored_nan=stored_nan)


def _lightgbm() -> tuple[Any, pd.DataFrame, Any]:
    lgb = pytest.importorskip("lightgbm")
    X, y, _ = frame()
    est = lgb.LGBMClassifier(n_estimators=20, num_leaves=8, min_child_samples=5, verbose=-1, n_jobs=1)
    return est.fit(X[NUMERIC], y), X[NUMERIC], None


def _xgboost() -> tuple[Any, pd.DataFrame, Any]:
    xgb = pytest.importorskip("xgboost")
    from test_parity_boosters import XgbExactRef

    X, y, _ = frame()
    est = xgb.XGBClassifier(n_estimators=20, max_depth=4, n_jobs=1).fit(X[NUMERIC], y)
    return est, X[NUMERIC], XgbExactRef(est.get_booster(), classification=True)


@pytest.mark.parametrize("engine_name", NAN_ENGINES)
@pytest.mark.parametrize("make", [_lightgbm, _xgboost], ids=["lightgbm", "xgboost"])
def test_stored_nan_boosters(make: Callable[[], tuple[Any, pd.DataFrame, Any]], engine_name: str) -> None:
    """LightGBM and XGBoost route NaN as their missing value (default directions)."""
    est, X, reference = make()
    check_parity(est, X, get_engine(engine_name), stored_nan=True, reference=reference)


def with_infinities(X: pd.DataFrame) -> pd.DataFrame:
    """``X`` with +inf and -inf in each numeric column, on rows that hold no NaN there."""
    out = X.copy()
    for j, c in enumerate(NUMERIC):
        rows = [i for i in range(5 + 7 * j, len(out), 53) if not np.isnan(out.loc[i, c])][:4]
        out.loc[rows[:2], c] = np.inf
        out.loc[rows[2:], c] = -np.inf
    return out


INF_ENGINES = ("duckdb", "postgres", "sqlite")


@pytest.mark.parametrize("engine_name", INF_ENGINES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_infinity_refused_where_sklearn_refuses_it(case: str, engine_name: str) -> None:
    est, X = fitted(case)
    Xi = with_infinities(X)
    assert np.isinf(Xi[NUMERIC].to_numpy(dtype=float)).sum() == 12
    check_parity(est, Xi, get_engine(engine_name))


@pytest.mark.parametrize("engine_name", INF_ENGINES)
@pytest.mark.parametrize("make", [_lightgbm, _xgboost], ids=["lightgbm", "xgboost"])
def test_infinity_is_a_value_for_boosters(make: Callable[[], tuple[Any, pd.DataFrame, Any]], engine_name: str) -> None:
    """Against each library's own predict_proba (XGBoost's DMatrix refuses infinity, but its
    sklearn predict takes it as a value; XGBoost's float32 arithmetic: tolerance 1e-5)."""
    est, X, _ = make()
    check_parity(est, with_infinities(X), get_engine(engine_name), atol=1e-5, rtol=1e-5)


def test_infinity_refused_in_bagged_linear_models() -> None:
    """Bagging validates nothing itself, but every base estimator refuses infinity."""
    from sklearn.ensemble import BaggingRegressor
    from sklearn.linear_model import Ridge

    X, _, target = frame()
    clean = X[NUMERIC].fillna(0.0)
    est = BaggingRegressor(Ridge(), n_estimators=4, max_features=2, random_state=0).fit(clean, target)
    check_parity(est, with_infinities(clean), get_engine("duckdb"))


@pytest.mark.parametrize(
    ("dialect", "needle"),
    [
        ("duckdb", "NULLIF(CAST(\"a\" AS DOUBLE), CAST('NaN' AS DOUBLE))"),
        ("postgres", "NULLIF(CAST(\"a\" AS DOUBLE PRECISION), CAST('NaN' AS DOUBLE PRECISION))"),
        ("snowflake", "NULLIF(CAST(\"a\" AS DOUBLE), CAST('NaN' AS DOUBLE))"),
        ("bigquery", "CASE WHEN IS_NAN(CAST(`a` AS FLOAT64)) THEN NULL ELSE CAST(`a` AS FLOAT64) END"),
        ("trino", "CASE WHEN IS_NAN(CAST(\"a\" AS DOUBLE)) THEN NULL ELSE CAST(\"a\" AS DOUBLE) END"),
        ("clickhouse", "CASE WHEN isNaN(CAST(\"a\" AS Nullable(Float64))) THEN NULL"),
    ],
)
def test_nan_test_per_dialect(dialect: str, needle: str) -> None:
    """Engines with IEEE equality (NaN <> NaN) test with IS_NAN; the others use NULLIF."""
    est, _ = fitted("imputer_logistic")
    assert needle in skl2sql.compile(est, table="t", dialect=dialect).sql


@pytest.mark.parametrize("dialect", ["sqlite", "mysql", "tsql"])
def test_no_nan_test_where_engines_store_no_nan(dialect: str) -> None:
    est, _ = fitted("imputer_logistic")
    sql = skl2sql.compile(est, table="t", dialect=dialect).sql
    assert "NaN" not in sql and "NULLIF" not in sql.upper()
