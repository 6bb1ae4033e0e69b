"""imbalanced-learn's pipelines and balanced ensembles, on every engine.

Samplers only resample the training rows: imbalanced-learn's ``Pipeline`` skips them at prediction
time, and its balanced ensembles predict as the scikit-learn ensembles they extend. Checked with
samplers first, in the middle and before a transformer, over text columns with NULLs and unseen
categories, a pipeline that ends in a transformer, every balanced ensemble, and a ``.skops`` file
holding imbalanced-learn types loaded by the CLI.
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
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

import datasets
from engines import Engine
from parity import case_cache, check_parity
from skl2sql.cli import main

imblearn = pytest.importorskip("imblearn")

from imblearn.ensemble import (  # noqa: E402
    BalancedBaggingClassifier,
    BalancedRandomForestClassifier,
    EasyEnsembleClassifier,
    RUSBoostClassifier,
)
from imblearn.over_sampling import SMOTE, RandomOverSampler  # noqa: E402
from imblearn.pipeline import make_pipeline  # noqa: E402
from imblearn.under_sampling import RandomUnderSampler  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Found unknown categories:UserWarning")


def _imbalanced(data: str) -> tuple[pd.DataFrame, np.ndarray]:
    """``data`` with the positive class thinned to ~15%, so the samplers have work to do."""
    X, y = getattr(datasets, data)()
    y = np.asarray(y)
    keep = (y == 0) | (np.random.default_rng(3).random(len(y)) < 0.2)
    return X[keep].reset_index(drop=True), y[keep]


def _fit(est: Any, data: str = "breast_cancer") -> tuple[Any, pd.DataFrame]:
    X, y = _imbalanced(data)
    return est.fit(X, y), X.iloc[::2]


def _text_pipeline() -> tuple[Any, pd.DataFrame]:
    train, score, y, _ = datasets.mixed()
    numeric = datasets.HOSTILE_NUMERIC[:3]
    text = ["colour", datasets.HOSTILE_NUMERIC[3]]
    ct = ColumnTransformer(
        [("num", StandardScaler(), numeric), ("cat", OneHotEncoder(handle_unknown="ignore"), text)]
    )
    model = make_pipeline(ct, RandomOverSampler(random_state=0), LogisticRegression(max_iter=2000))
    cols = [*numeric, *text]
    return model.fit(train[cols], y), score.loc[score[numeric].notna().all(axis=1), cols]


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "smote_first": lambda: _fit(make_pipeline(SMOTE(random_state=0), StandardScaler(), LogisticRegression(max_iter=2000))),
    "undersample_middle_tree": lambda: _fit(
        make_pipeline(StandardScaler(), RandomUnderSampler(random_state=0), DecisionTreeClassifier(max_depth=4, random_state=0))
    ),
    "sampler_before_pca": lambda: _fit(
        make_pipeline(StandardScaler(), SMOTE(random_state=0), PCA(n_components=4), LogisticRegression(max_iter=2000)), "wine"
    ),
    "ends_in_transformer": lambda: _fit(make_pipeline(StandardScaler(), RandomOverSampler(random_state=0), PCA(n_components=3))),
    "text_columns": _text_pipeline,
    "balanced_random_forest": lambda: _fit(
        BalancedRandomForestClassifier(
            n_estimators=6, max_depth=4, sampling_strategy="all", replacement=True, bootstrap=False, random_state=0
        )
    ),
    "balanced_bagging": lambda: _fit(
        BalancedBaggingClassifier(DecisionTreeClassifier(max_depth=3), n_estimators=4, random_state=0), "wine"
    ),
    "easy_ensemble": lambda: _fit(EasyEnsembleClassifier(n_estimators=3, random_state=0)),
    "rusboost": lambda: _fit(RUSBoostClassifier(n_estimators=6, random_state=0), "wine"),
}

fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_imbalanced_learn_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


def test_cli_loads_imbalanced_learn_from_skops(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    est, _ = fitted("smote_first")
    path = tmp_path / "model.skops"
    sio.dump(est, path)
    assert main(["compile", str(path), "-d", "postgres", "-t", "patients"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and '"patients"' in out and "probability_1" in out
