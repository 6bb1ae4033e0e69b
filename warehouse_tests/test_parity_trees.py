"""Parity of scikit-learn trees and tree ensembles on every engine.

Scoring rows are built to be hard: sample rows, rows exactly at real split thresholds of the fitted
model and one float32 ulp either side (plus the float64 boundary of the float32 comparison and its
neighbours), and rows with a NULL in each feature in turn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import (
    AdaBoostClassifier,
    AdaBoostRegressor,
    BaggingClassifier,
    BaggingRegressor,
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    IsolationForest,
    RandomForestClassifier,
    RandomForestRegressor,
    RandomTreesEmbedding,
)
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    ExtraTreeClassifier,
    ExtraTreeRegressor,
)

import datasets
import skl2sql
from engines import Engine
from parity import case_cache, check_parity

# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


def with_nans(X: pd.DataFrame, frac: float = 0.1, seed: int = 0) -> pd.DataFrame:
    """Training data with NaN in every feature, so trees learn missing-value directions."""
    rng = np.random.default_rng(seed)
    X = X.copy()
    for c in X.columns:
        X.loc[rng.random(len(X)) < frac, c] = np.nan
    return X


def _split_points(trees: Iterable[Any], hist: bool = False) -> list[tuple[int, float]]:
    out: list[tuple[int, float]] = []
    for t in trees:
        if hist:
            nodes = t.nodes
            for n in nodes[~nodes["is_leaf"].astype(bool) & ~nodes["is_categorical"].astype(bool)]:
                out.append((int(n["feature_idx"]), float(n["num_threshold"])))
        else:
            tr = t.tree_
            for n in np.nonzero(tr.children_left >= 0)[0]:
                out.append((int(tr.feature[n]), float(tr.threshold[n])))
    return out


def edge_values(t: float) -> list[float]:
    """t itself, the float32 values around it, and the float64 boundary of float32(x) <= t."""
    from skl2sql.assemblers.shared.tree_common import float32_le_threshold

    f = np.float32(t)
    lo = np.nextafter(f, np.float32(-np.inf))
    hi = np.nextafter(f, np.float32(np.inf))
    d = float32_le_threshold(t)
    vals = [t, float(f), float(lo), float(hi), d, np.nextafter(d, np.inf), np.nextafter(d, -np.inf)]
    vals += [np.nextafter(t, np.inf), np.nextafter(t, -np.inf)]
    return [float(v) for v in vals if np.isfinite(v)]


def scoring_frame(
    X: pd.DataFrame, trees: Iterable[Any] = (), *, n_base: int = 60, n_edge: int = 25, seed: int = 1, hist: bool = False
) -> pd.DataFrame:
    """Sample rows + rows at/around real split thresholds + a NULL in each feature in turn."""
    rng = np.random.default_rng(seed)
    base = X.iloc[rng.choice(len(X), n_base, replace=False)].reset_index(drop=True)
    rows = [base]
    points = _split_points(trees, hist)
    if points:
        pick = rng.choice(len(points), min(n_edge, len(points)), replace=False)
        edge = []
        for i in pick:
            f, t = points[i]
            for v in edge_values(t):
                r = X.iloc[int(rng.integers(len(X)))].copy()
                r.iloc[f] = v
                edge.append(r)
        rows.append(pd.DataFrame(edge).reset_index(drop=True))
    nulls = X.iloc[rng.choice(len(X), 2 * X.shape[1])].reset_index(drop=True).copy()
    for j in range(X.shape[1]):
        nulls.iloc[2 * j, j] = np.nan
        nulls.iloc[2 * j + 1, j] = np.nan
        nulls.iloc[2 * j + 1, (j + 1) % X.shape[1]] = np.nan
    rows.append(nulls)
    out = pd.concat(rows, ignore_index=True)
    return out.astype(np.float64)


def _trees_of(est: Any) -> list[Any]:
    if hasattr(est, "_predictors"):
        return [p for it in est._predictors for p in it]
    if hasattr(est, "tree_"):
        return [est]
    if hasattr(est, "estimators_"):
        ests = est.estimators_
        flat = list(np.ravel(ests)) if isinstance(ests, np.ndarray) else list(ests)
        return [e for e in flat if hasattr(e, "tree_")]
    return []


# ---------------------------------------------------------------------------------------------
# Cases: name -> () -> (fitted estimator, scoring frame)
# ---------------------------------------------------------------------------------------------

Case = Callable[[], tuple[Any, pd.DataFrame]]


def _fit(est: Any, data: str, nan_train: bool = False, edges: bool = True) -> tuple[Any, pd.DataFrame]:
    X, y = getattr(datasets, data)()
    Xt = with_nans(X) if nan_train else X
    est.fit(Xt, y)
    hist = hasattr(est, "_predictors")
    return est, scoring_frame(X, _trees_of(est) if edges else (), hist=hist)


def _fit_small(est: Any, data: str) -> tuple[Any, pd.DataFrame]:
    """Few scoring rows: for the many-tree models, whose point is SQL shape (stage chaining,
    nesting depth and MariaDB's WITH limit on every engine), not row coverage."""
    X, y = getattr(datasets, data)()
    est.fit(X, y)
    return est, scoring_frame(X, _trees_of(est), n_base=15, n_edge=3)


def _categorical_data(seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Integer-coded categories (0..5) beside two numeric columns."""
    rng = np.random.default_rng(seed)
    n = 400
    X = pd.DataFrame(
        {
            "code": rng.integers(0, 6, n).astype(np.float64),
            "a": rng.normal(0, 1, n),
            "b": rng.normal(0, 1, n).round(2),
        }
    )
    X.loc[rng.random(n) < 0.08, "code"] = np.nan
    effect = np.array([0.0, 2.0, -1.0, 1.5, -2.0, 0.5])
    codes = X["code"].fillna(0).astype(int).to_numpy()
    y_reg = effect[codes] + X["a"].to_numpy() + rng.normal(0, 0.2, n)
    y_cls = (y_reg > 0.3).astype(int) + (y_reg > 1.5).astype(int)
    return X, y_reg, y_cls


def _fit_categorical(est: Any, classify: bool) -> tuple[Any, pd.DataFrame]:
    X, y_reg, y_cls = _categorical_data()
    est.fit(X, y_cls if classify else y_reg)
    score = scoring_frame(X, _trees_of(est), hist=True)
    extra = X.iloc[:8].copy()
    extra["code"] = [7.0, 9.0, -1.0, 2.5, 0.0, 5.0, np.nan, 3.999]  # unseen, negative, fractional
    return est, pd.concat([score, extra], ignore_index=True)


CASES: dict[str, Case] = {
    "dt_clf_iris": lambda: _fit(DecisionTreeClassifier(random_state=0), "iris"),
    "dt_clf_iris_nan_trained": lambda: _fit(DecisionTreeClassifier(max_depth=6, random_state=0), "iris", True),
    "dt_clf_wine_labels": lambda: _fit(DecisionTreeClassifier(max_depth=4, random_state=0), "iris_named_labels"),
    "dt_reg_diabetes": lambda: _fit(DecisionTreeRegressor(max_depth=8, random_state=0), "diabetes"),
    "dt_reg_diabetes_nan_trained": lambda: _fit(DecisionTreeRegressor(max_depth=6, random_state=0), "diabetes", True),
    "extra_tree_clf": lambda: _fit(ExtraTreeClassifier(random_state=0), "wine"),
    # unpruned random splits: CASE nesting 15 > MAX_CASE_NESTING, so written flat (SQLite's
    # parser would overflow on the nested form)
    "extra_tree_reg_unpruned_flat": lambda: _fit(ExtraTreeRegressor(random_state=0), "diabetes"),
    "extra_tree_reg_nan_trained": lambda: _fit(ExtraTreeRegressor(max_depth=8, random_state=0), "diabetes", True),
    "rf_clf_wine": lambda: _fit(RandomForestClassifier(n_estimators=15, max_depth=5, random_state=0), "wine"),
    "rf_clf_iris_nan_trained": lambda: _fit(
        RandomForestClassifier(n_estimators=40, max_depth=4, random_state=0), "iris_named_labels", True
    ),
    "rf_reg_diabetes": lambda: _fit(RandomForestRegressor(n_estimators=12, max_depth=6, random_state=0), "diabetes"),
    "et_clf_breast": lambda: _fit(ExtraTreesClassifier(n_estimators=10, max_depth=6, random_state=0), "breast_cancer"),
    "et_reg_nan_trained": lambda: _fit(
        ExtraTreesRegressor(n_estimators=10, max_depth=5, random_state=0), "diabetes", True
    ),
    "gb_clf_binary": lambda: _fit(GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0), "breast_cancer"),
    "gb_clf_multiclass": lambda: _fit(GradientBoostingClassifier(n_estimators=12, max_depth=2, random_state=0), "iris_named_labels"),
    "gb_clf_exponential": lambda: _fit(
        GradientBoostingClassifier(loss="exponential", n_estimators=15, max_depth=2, random_state=0), "breast_cancer"
    ),
    "gb_clf_zero_init": lambda: _fit(
        GradientBoostingClassifier(init="zero", n_estimators=10, max_depth=2, random_state=0), "wine"
    ),
    "gb_reg_squared_early_stop": lambda: _fit(
        GradientBoostingRegressor(n_estimators=200, max_depth=3, n_iter_no_change=2, random_state=0), "diabetes"
    ),
    "gb_reg_absolute": lambda: _fit(GradientBoostingRegressor(loss="absolute_error", n_estimators=15, random_state=0), "diabetes"),
    "gb_reg_huber": lambda: _fit(GradientBoostingRegressor(loss="huber", n_estimators=15, random_state=0), "diabetes"),
    "gb_reg_quantile": lambda: _fit(GradientBoostingRegressor(loss="quantile", alpha=0.8, n_estimators=15, random_state=0), "diabetes"),
    "hgb_reg_nan_trained": lambda: _fit(HistGradientBoostingRegressor(max_iter=20, random_state=0), "diabetes", True),
    "hgb_reg_poisson": lambda: _fit(HistGradientBoostingRegressor(loss="poisson", max_iter=15, random_state=0), "diabetes"),
    "hgb_reg_gamma": lambda: _fit(HistGradientBoostingRegressor(loss="gamma", max_iter=15, random_state=0), "diabetes"),
    "hgb_reg_absolute": lambda: _fit(HistGradientBoostingRegressor(loss="absolute_error", max_iter=15, random_state=0), "diabetes"),
    "hgb_reg_quantile_early_stop": lambda: _fit(
        HistGradientBoostingRegressor(loss="quantile", quantile=0.3, max_iter=300, early_stopping=True, n_iter_no_change=3, random_state=0),
        "diabetes",
    ),
    "hgb_clf_binary_nan_trained": lambda: _fit(HistGradientBoostingClassifier(max_iter=20, random_state=0), "breast_cancer", True),
    "hgb_clf_multiclass": lambda: _fit(HistGradientBoostingClassifier(max_iter=10, random_state=0), "iris_named_labels", True),
    "hgb_reg_categorical": lambda: _fit_categorical(
        HistGradientBoostingRegressor(max_iter=15, categorical_features=[0], random_state=0), False
    ),
    "hgb_clf_categorical": lambda: _fit_categorical(
        HistGradientBoostingClassifier(max_iter=10, categorical_features=[0], random_state=0), True
    ),
    # the default 50 rounds: one stage of votes for all bases (was two CTEs per base, over
    # MariaDB's 64 WITH elements)
    "ada_clf_binary": lambda: _fit_small(AdaBoostClassifier(random_state=0), "breast_cancer"),
    "ada_clf_multiclass": lambda: _fit(
        AdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=10, random_state=0), "iris_named_labels"
    ),
    "ada_reg": lambda: _fit(AdaBoostRegressor(DecisionTreeRegressor(max_depth=3), n_estimators=12, random_state=0), "diabetes"),
    "bagging_clf_trees_subsets": lambda: _fit(
        BaggingClassifier(DecisionTreeClassifier(max_depth=4), n_estimators=8, max_features=0.6, random_state=0),
        "wine",
        True,
    ),
    "bagging_clf_bootstrap_features_logreg": lambda: _fit(
        BaggingClassifier(
            LogisticRegression(max_iter=500), n_estimators=5, max_features=0.5, bootstrap_features=True, random_state=0
        ),
        "iris_named_labels",
        edges=False,
    ),
    "bagging_clf_small_samples": lambda: _fit(
        BaggingClassifier(DecisionTreeClassifier(max_depth=3), n_estimators=6, max_samples=6, random_state=3),
        "iris",
    ),
    "bagging_reg_trees": lambda: _fit(
        BaggingRegressor(DecisionTreeRegressor(max_depth=4), n_estimators=8, max_features=0.7, random_state=0), "diabetes"
    ),
    "bagging_reg_linear": lambda: _fit(
        BaggingRegressor(LinearRegression(), n_estimators=5, max_features=0.5, random_state=0), "diabetes", edges=False
    ),
    "iforest": lambda: _fit(IsolationForest(n_estimators=20, random_state=0), "breast_cancer"),
    "iforest_subsets_nan_trained": lambda: _fit(
        IsolationForest(n_estimators=15, max_features=0.5, max_samples=64, random_state=0), "wine", True
    ),
    "gb_reg_1000_stumps": lambda: _fit_small(
        GradientBoostingRegressor(n_estimators=1000, max_depth=1, learning_rate=0.05, random_state=0), "diabetes"
    ),
    # 2,000 boosting rounds x 3 classes: 81 stages, beyond MariaDB's 64 WITH elements, so the
    # lowering merges running-sum stages there (plan/with_limit.py)
    "gb_clf_2000_stumps_multiclass": lambda: _fit_small(
        GradientBoostingClassifier(n_estimators=2000, max_depth=1, learning_rate=0.02, random_state=0), "iris"
    ),
    # 100 bagged trees: a few stages per tree that do not read each other (over 64 WITH elements
    # on MariaDB), regrouped by dependency depth there (plan.leveling.level_stages)
    "bagging_clf_100_trees": lambda: _fit_small(
        BaggingClassifier(DecisionTreeClassifier(max_depth=3), n_estimators=100, max_features=0.5, random_state=0),
        "breast_cancer",
    ),
    # RandomTreesEmbedding: one 1.0/0.0 column per leaf, alone and in front of a linear model
    "random_trees_embedding_nan_trained": lambda: _fit(
        RandomTreesEmbedding(n_estimators=4, max_depth=3, random_state=0), "wine", True
    ),
    "random_trees_embedding_logreg": lambda: _fit(
        make_pipeline(RandomTreesEmbedding(n_estimators=8, max_depth=3, random_state=0), LogisticRegression(max_iter=3000)),
        "breast_cancer",
        edges=False,
    ),
    "pipeline_scaler_rf": lambda: _fit(
        make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=8, max_depth=4, random_state=0)),
        "breast_cancer",
        edges=False,
    ),
}
fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_tree_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


def test_stages_fit_mariadb_with_limit() -> None:
    """MariaDB refuses a 65th WITH element: the 2,000-round model (one chain of running sums) has
    more stages than that on DuckDB, and at most 64 for the mysql dialect (its parity on MariaDB is
    in the matrix)."""
    import re

    est, _ = fitted("gb_clf_2000_stumps_multiclass")

    def ctes(dialect: str) -> int:
        sql = skl2sql.compile(est, table="t", dialect=dialect).sql
        return len(re.findall(r'"skl2sql_stage_\d+" AS (?:MATERIALIZED )?\(', sql)) + len(
            re.findall(r"`skl2sql_stage_\d+` AS \(", sql)
        )

    assert ctes("duckdb") > 64
    assert 0 < ctes("mysql") <= 64
    # 100 bagged trees are 207 stages that mostly do not read each other: every dialect regroups
    # them by dependency depth (PostgreSQL took 9 s to plan the 207 nested CTEs, DuckDB 13 s)
    est, _ = fitted("bagging_clf_100_trees")
    assert len(skl2sql.compile(est, table="t").program.stages) > 64
    for dialect in ("duckdb", "postgres", "mysql", "sqlite", "snowflake"):
        assert 0 < ctes(dialect) <= 16, dialect


def test_edge_rows_really_straddle_thresholds() -> None:
    """The edge rows must split both ways at float32 precision, or they test nothing."""
    est, _ = fitted("dt_reg_diabetes")
    t = float(est.tree_.threshold[0])
    vals = np.array(edge_values(t))
    f32 = vals.astype(np.float32)
    assert (f32 <= t).any() and (f32 > t).any()


def test_early_stopping_uses_fitted_iterations() -> None:
    est, _ = fitted("gb_reg_squared_early_stop")
    assert est.n_estimators_ < est.n_estimators
    est2, _ = fitted("hgb_reg_quantile_early_stop")
    assert est2.n_iter_ < est2.max_iter


def test_multi_output_tree_names_each_target() -> None:
    """A tree fitted on two targets gives ``prediction_0`` and ``prediction_1`` (the engines run
    multi-output trees in test_parity_multioutput.py)."""
    X, y = datasets.diabetes()
    est = DecisionTreeRegressor(max_depth=2).fit(X, np.c_[y, -y])
    compiled = check_parity(est, X, None)
    assert compiled.outputs == ["prediction_0", "prediction_1"]


def test_deep_trees_are_written_flat_and_shallow_ones_nested() -> None:
    """A tree that would nest deeper than MAX_CASE_NESTING is one flat CASE; the nesting measure
    counts left turns only (right chains merge into one CASE); the unpruned case above stays
    within the limit however it is written (SQLite parses it in the parity matrix)."""
    import re

    from skl2sql.assemblers.shared.tree_common import MAX_CASE_NESTING, case_nesting, tree_case
    from skl2sql.ir import Column, Compare, lit

    def deepest_case(sql: str) -> int:
        depth = best = 0
        for word in re.findall(r"\b(CASE|END)\b", sql):
            depth += 1 if word == "CASE" else -1
            best = max(best, depth)
        return best

    deep, _ = CASES["extra_tree_reg_unpruned_flat"]()
    assert deepest_case(skl2sql.compile(deep, table="t", dialect="sqlite").sql) <= MAX_CASE_NESTING + 1
    n = 30
    left = [-1] * (2 * n + 1)
    right = [-1] * (2 * n + 1)
    for i in range(n):  # node 2i splits; its right child 2i+1 is a leaf, its left child 2i+2 goes on
        left[2 * i], right[2 * i] = 2 * i + 2, 2 * i + 1
    assert case_nesting(left, right) == n
    flat = tree_case(left, right, lambda k: Compare("<=", Column("x"), lit(float(k))), lambda k: lit(float(k)))
    assert deepest_case(skl2sql.lowering.render(
        skl2sql.lowering.lower_expr(flat, skl2sql.dialects.resolve_dialect("sqlite")),
        skl2sql.dialects.resolve_dialect("sqlite"))) == 1
    for i in range(n):  # mirrored: the chain continues on the right
        left[2 * i], right[2 * i] = 2 * i + 1, 2 * i + 2
    assert case_nesting(left, right) == 1
