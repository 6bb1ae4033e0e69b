"""Fitted hyper-parameter searches, SelfTrainingClassifier and the multi-task linear models.

Users save the search object itself (``GridSearchCV``...) far more often than its
``best_estimator_``; it predicts through that estimator, so it compiles as it, on every engine,
including a search over a text-reading pipeline, a multi-metric search refitted on a named
metric, a successive-halving search and a search over a transformer (its ``transform``). A search
fitted with ``refit=False`` has nothing to predict with and is refused by name. The CLI loads a
search from a ``.skops`` file (its ``cv_results_`` hold masked arrays).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import LogisticRegression, MultiTaskElasticNetCV, MultiTaskLasso
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV, RandomizedSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.semi_supervised import SelfTrainingClassifier

import datasets
import skl2sql
from engines import Engine
from parity import case_cache, check_parity
from skl2sql.cli import main
from skl2sql.errors import Skl2SqlError, UnsupportedEstimatorError

pytestmark = pytest.mark.filterwarnings(
    "ignore:Found unknown categories:UserWarning", "ignore::sklearn.exceptions.ConvergenceWarning"
)


def _mixed_pipeline_search() -> tuple[Any, pd.DataFrame]:
    """GridSearchCV over scaler + one-hot + logistic regression on the mixed frame (hostile
    names, text categories, NULLs and unseen categories in the scoring rows)."""
    train, score, y, _ = datasets.mixed()
    numeric = datasets.HOSTILE_NUMERIC[:3]
    text = ["colour", datasets.HOSTILE_NUMERIC[3]]
    ct = ColumnTransformer(
        [("num", StandardScaler(), numeric), ("cat", OneHotEncoder(handle_unknown="ignore"), text)]
    )
    grid = GridSearchCV(make_pipeline(ct, LogisticRegression(max_iter=2000)), {"logisticregression__C": [0.1, 1.0]}, cv=3)
    cols = [*numeric, *text]
    rows = score.loc[score[numeric].notna().all(axis=1), cols]
    return grid.fit(train[cols], y), rows


def _fit(est: Any, data: str, rows: int = 150) -> tuple[Any, pd.DataFrame]:
    X, y = getattr(datasets, data)()
    return est.fit(X, y), X.iloc[:: max(1, len(X) // rows)]


def _two_targets(est: Any) -> tuple[Any, pd.DataFrame]:
    X, y = datasets.diabetes()
    return est.fit(X, np.column_stack([y, np.sqrt(y)])), X.iloc[::3]


def _self_training() -> tuple[Any, pd.DataFrame]:
    X, y = datasets.breast_cancer()
    y = np.asarray(y).copy()
    y[np.random.default_rng(0).random(len(y)) < 0.6] = -1  # unlabelled rows
    est = SelfTrainingClassifier(make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)), max_iter=5)
    return est.fit(X, y), X.iloc[::4]


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "grid_text_pipeline": _mixed_pipeline_search,
    "randomized_gradient_boosting": lambda: _fit(
        RandomizedSearchCV(
            GradientBoostingRegressor(random_state=0),
            {"max_depth": [2, 3], "n_estimators": [10, 20]},
            n_iter=3, cv=3, random_state=0,
        ),
        "diabetes",
    ),
    "grid_multimetric_refit_named": lambda: _fit(
        GridSearchCV(
            RandomForestClassifier(n_estimators=5, random_state=0),
            {"max_depth": [3, 5]},
            scoring=["accuracy", "neg_log_loss"], refit="neg_log_loss", cv=3,
        ),
        "iris_named_labels",
    ),
    "halving_grid": lambda: _fit(
        HalvingGridSearchCV(
            make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
            {"logisticregression__C": [0.01, 0.1, 1.0, 10.0]}, cv=3, random_state=0,
        ),
        "wine",
    ),
    "grid_over_transformer": lambda: _fit(GridSearchCV(PCA(), {"n_components": [2, 3]}, cv=3), "wine"),
    "self_training": _self_training,
    "multitask_lasso": lambda: _two_targets(MultiTaskLasso(alpha=0.5)),
    "multitask_elastic_net_cv": lambda: _two_targets(MultiTaskElasticNetCV(cv=3)),
}

fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_search_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


def test_search_compiles_as_its_best_estimator() -> None:
    search, _ = fitted("grid_text_pipeline")
    ours = skl2sql.compile(search, table="t", dialect="duckdb")
    best = skl2sql.compile(search.best_estimator_, table="t", dialect="duckdb")
    assert ours.sql == best.sql and ours.outputs == best.outputs


def test_search_without_refit_is_refused() -> None:
    X, y = datasets.iris()
    search = GridSearchCV(LogisticRegression(max_iter=500), {"C": [0.1, 1.0]}, refit=False, cv=3).fit(X, y)
    with pytest.raises(UnsupportedEstimatorError, match="refit=False"):
        skl2sql.compile(search, table="t", dialect="duckdb", features=list(X.columns))
    # without features= the column names are missing first (they live on best_estimator_)
    with pytest.raises(Skl2SqlError, match="GridSearchCV"):
        skl2sql.compile(search, table="t", dialect="duckdb")


def test_cli_compiles_a_search_saved_with_skops(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    search, _ = fitted("halving_grid")
    path = tmp_path / "search.skops"
    sio.dump(search, path)
    assert main(["compile", str(path), "-d", "duckdb", "-t", "wines"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and '"wines"' in out and "probability_" in out
