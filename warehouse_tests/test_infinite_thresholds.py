"""Splits at ±infinity: every tree family trained on data with NaN, on every engine.

LightGBM writes ``threshold=inf`` for a split that sends every number one way and NaN the other;
scikit-learn trees and HistGradientBoosting trained with NaN store ``inf`` thresholds too. Such a
split is a test for "is a number" and is written without a non-finite literal (no engine parses
``inf`` alike). Regression for "cannot write the non-finite number inf as SQL" on an
LGBMRegressor (150 trees, 31 leaves, three columns with 7% NaN).

The rows hold NaN (NULL), ±infinity where the engine can store it (not MariaDB), values exactly
at learned thresholds and one ulp either side of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import (
    ExtraTreesRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
)
from sklearn.tree import DecisionTreeRegressor

import skl2sql
from engines import Engine
from parity import case_cache, check_parity

COLUMNS = ["a", "b", "c"]


def training(n: int = 1500, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Three columns with 7% NaN; the target depends on the missingness, so trees split on it."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    X[rng.random(X.shape) < 0.07] = np.nan
    y = np.nan_to_num(X[:, 0]) * 2 + np.isnan(X[:, 1]) * 3 - np.isnan(X[:, 2]) + rng.normal(scale=0.3, size=n)
    return pd.DataFrame(X, columns=COLUMNS), y


def scoring(thresholds: list[tuple[int, float]], infinities: bool, n: int = 300) -> pd.DataFrame:
    """Fresh rows with NaN, optionally ±infinity in each column, and rows at each of the given
    (feature, threshold) pairs and one double ulp either side."""
    X, _ = training(n, seed=1)
    extra = []
    for f, t in thresholds[:40]:
        if not np.isfinite(t):
            continue
        for v in (np.nextafter(t, -np.inf), t, np.nextafter(t, np.inf)):
            row = X.iloc[len(extra) % len(X)].copy()
            row.iloc[f] = v
            extra.append(row)
    X = pd.concat([X, pd.DataFrame(extra)], ignore_index=True)
    if infinities:
        for j, c in enumerate(COLUMNS):
            X.loc[[3 + j, 40 + j], c] = np.inf
            X.loc[[20 + j, 60 + j], c] = -np.inf
    return X


def _sklearn_thresholds(est: Any) -> list[tuple[int, float]]:
    trees = getattr(est, "estimators_", [est])
    out = []
    for t in trees:
        tree = t.tree_
        inner = tree.children_left >= 0
        out += [(int(f), float(v)) for f, v in zip(tree.feature[inner], tree.threshold[inner], strict=True)]
    return out


def _hgb_thresholds(est: Any) -> list[tuple[int, float]]:
    return [(int(n["feature_idx"]), float(n["num_threshold"])) for it in est._predictors for p in it
            for n in p.nodes if not n["is_leaf"]]


def _lgbm_thresholds(est: Any) -> list[tuple[int, float]]:
    """From the model text (``dump_model`` writes +inf as 1e300)."""
    out: list[tuple[int, float]] = []
    features: list[int] = []
    for line in est.booster_.model_to_string().splitlines():
        if line.startswith("split_feature="):
            features = [int(v) for v in line.split("=", 1)[1].split()]
        elif line.startswith("threshold="):
            out += zip(features, (float(v) for v in line.split("=", 1)[1].split()), strict=True)
    return out


def _xgb_thresholds(est: Any) -> list[tuple[int, float]]:
    df = est.get_booster().trees_to_dataframe()
    df = df[df["Feature"] != "Leaf"]
    return [(COLUMNS.index(f), float(s)) for f, s in zip(df["Feature"], df["Split"], strict=True)]


def _lgbm_regressor() -> Any:
    lgb = pytest.importorskip("lightgbm")
    X, y = training()
    return lgb.LGBMRegressor(n_estimators=150, num_leaves=31, verbose=-1, n_jobs=1).fit(X, y)


def _lgbm_classifier() -> Any:
    lgb = pytest.importorskip("lightgbm")
    X, y = training()
    return lgb.LGBMClassifier(n_estimators=40, num_leaves=15, verbose=-1, n_jobs=1).fit(X, y > 0.5)


def _xgb_regressor() -> Any:
    xgb = pytest.importorskip("xgboost")
    X, y = training()
    return xgb.XGBRegressor(n_estimators=30, max_depth=4, n_jobs=1).fit(X, y)


CASES: dict[str, tuple[Callable[[], Any], Callable[[Any], list[tuple[int, float]]], bool]] = {
    # name: (fitted model, its (feature, threshold) pairs, whether a threshold must be infinite)
    "lgbm_regressor": (_lgbm_regressor, _lgbm_thresholds, True),
    "lgbm_classifier": (_lgbm_classifier, _lgbm_thresholds, True),
    "xgb_regressor": (_xgb_regressor, _xgb_thresholds, False),
    "decision_tree": (lambda: DecisionTreeRegressor(max_depth=8, random_state=0).fit(*training()), _sklearn_thresholds, True),
    "random_forest": (
        lambda: RandomForestClassifier(n_estimators=10, max_depth=6, random_state=0).fit(training()[0], training()[1] > 0.5),
        _sklearn_thresholds, True,
    ),
    "extra_trees": (lambda: ExtraTreesRegressor(n_estimators=5, max_depth=6, random_state=0).fit(*training()),
                    _sklearn_thresholds, False),  # random thresholds fall between observed numbers
    "hist_gradient_boosting": (
        lambda: HistGradientBoostingRegressor(max_iter=40, min_samples_leaf=5, random_state=0).fit(*training()),
        _hgb_thresholds, True,
    ),
    "hist_gradient_boosting_multiclass": (
        lambda: HistGradientBoostingClassifier(max_iter=10, min_samples_leaf=5, random_state=0).fit(
            training()[0], np.digitize(training()[1], [-1.0, 1.0])),
        _hgb_thresholds, True,
    ),
}
fitted = case_cache({name: make for name, (make, _, _) in CASES.items()})

#: XGBoost sums leaves in float32 (docs/boosters.md).
TOLERANCE = {"xgb_regressor": 1e-5}


@pytest.mark.parametrize("case", sorted(CASES))
def test_infinite_thresholds_score_exactly(case: str, engine: Engine) -> None:
    est = fitted(case)
    thresholds = CASES[case][1](est)
    if CASES[case][2]:
        assert any(np.isposinf(t) for _, t in thresholds), f"{case} has no split at +inf: the test would prove nothing"
    X = scoring(thresholds, infinities=engine.name != "mariadb")
    tol = TOLERANCE.get(case, 1e-9)
    check_parity(est, X, engine, atol=tol, rtol=tol)


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "sqlite", "mysql", "snowflake", "bigquery", "spark",
                                     "clickhouse", "tsql", "trino"])
@pytest.mark.parametrize("case", ["lgbm_regressor", "decision_tree", "hist_gradient_boosting"])
def test_no_non_finite_literal_in_any_dialect(case: str, dialect: str) -> None:
    """The split at +inf is written as ``x IS NOT NULL``: no ``inf``/``Infinity`` literal."""
    sql = skl2sql.compile(fitted(case), table="t", dialect=dialect, features=COLUMNS).sql.lower()
    assert "inf" not in sql.replace("information_schema", ""), dialect
