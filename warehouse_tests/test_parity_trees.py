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
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
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
from parity import check_parity

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
    from skl2sql.assemblers.tree_common import float32_le_threshold

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
    return est, scoring_frame(X, _trees_of(est) if edges else ())


CASES: dict[str, Case] = {
    "dt_clf_iris": lambda: _fit(DecisionTreeClassifier(random_state=0), "iris"),
    "dt_clf_iris_nan_trained": lambda: _fit(DecisionTreeClassifier(max_depth=6, random_state=0), "iris", True),
    "dt_clf_wine_labels": lambda: _fit(DecisionTreeClassifier(max_depth=4, random_state=0), "iris_named_labels"),
    "dt_reg_diabetes": lambda: _fit(DecisionTreeRegressor(max_depth=8, random_state=0), "diabetes"),
    "dt_reg_diabetes_nan_trained": lambda: _fit(DecisionTreeRegressor(max_depth=6, random_state=0), "diabetes", True),
    "extra_tree_clf": lambda: _fit(ExtraTreeClassifier(random_state=0), "wine"),
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
    "pipeline_scaler_rf": lambda: _fit(
        make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=8, max_depth=4, random_state=0)),
        "breast_cancer",
        edges=False,
    ),
}
_fitted: dict[str, tuple[Any, pd.DataFrame]] = {}


def fitted(name: str) -> tuple[Any, pd.DataFrame]:
    if name not in _fitted:
        _fitted[name] = CASES[name]()
    return _fitted[name]


@pytest.mark.parametrize("case", sorted(CASES))
def test_tree_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


def test_edge_rows_really_straddle_thresholds() -> None:
    """The edge rows must split both ways at float32 precision, or they test nothing."""
    est, _ = fitted("dt_reg_diabetes")
    t = float(est.tree_.threshold[0])
    vals = np.array(edge_values(t))
    f32 = vals.astype(np.float32)
    assert (f32 <= t).any() and (f32 > t).any()


def test_multi_output_refused() -> None:
    X, y = datasets.diabetes()
    est = DecisionTreeRegressor(max_depth=2).fit(X, np.c_[y, y])
    with pytest.raises(skl2sql.UnsupportedEstimatorError, match="multiple outputs"):
        skl2sql.compile(est, table="t")
