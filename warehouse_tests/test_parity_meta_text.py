"""Meta-estimators whose base estimators are pipelines that read text columns themselves.

scikit-learn's ensembles and wrappers hand ``X`` to their bases unconverted (Bagging validates with
``dtype=None``), so a base that starts with an encoder takes raw text. The SQL must pass the
columns through to each base's own encoder, not read them as numbers first (which failed on every
engine with a conversion error for Bagging before). Text categories with hostile values, unseen
values and NULLs; every engine.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.ensemble import (
    BaggingClassifier,
    BaggingRegressor,
    StackingClassifier,
    VotingClassifier,
    VotingRegressor,
)
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.multiclass import OneVsRestClassifier
from sklearn.multioutput import MultiOutputRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import datasets
from engines import Engine
from parity import case_cache, check_parity

pytestmark = pytest.mark.filterwarnings(
    "ignore:Found unknown categories:UserWarning", "ignore:invalid value encountered in log:RuntimeWarning"
)

COLOUR, SHAPE, SIZE = "colour", datasets.HOSTILE_NUMERIC[3], "size"


@cache
def frames() -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    n, m = 400, 120
    colours = np.array(datasets.HOSTILE_CATEGORIES[:5], dtype=object)
    shapes = np.array(["round", "square", "tri"], dtype=object)

    def frame(size: int, scoring: bool) -> pd.DataFrame:
        c = rng.choice(colours, size)
        s = rng.choice(shapes, size)
        if scoring:
            c[:6] = ["unseen", None, "o'brien", "NULL ", None, "ünï"]
            s[6:9] = [None, "hex", "Round"]
        return pd.DataFrame(
            {COLOUR: pd.array(c, dtype="str"), SHAPE: pd.array(s, dtype="str"), SIZE: rng.normal(0, 1, size)}
        )

    train, score = frame(n, False), frame(m, True)
    base = (train[COLOUR] == colours[0]).to_numpy(float) + (train[SHAPE] == "round").to_numpy(float) + train[SIZE].to_numpy()
    y_class = (base + rng.normal(0, 0.5, n) > 1.0).astype(int)
    y_reg = base * 3.0 + rng.normal(0, 0.1, n)
    return train, score, y_class, y_reg


def _encoded(est: Any) -> Any:
    """``est`` behind a ColumnTransformer that one-hot encodes the text columns (by position:
    Bagging hands its bases NumPy arrays) and scales the number."""
    ct = ColumnTransformer(
        [("cat", OneHotEncoder(handle_unknown="ignore"), [0, 1]), ("num", StandardScaler(), [2])]
    )
    return make_pipeline(ct, est)


def _named(est: Any) -> Any:
    ct = ColumnTransformer(
        [("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), [COLOUR, SHAPE]),
         ("num", "passthrough", [SIZE])]
    )
    return make_pipeline(ct, est)


def _fit(est: Any, target: str) -> tuple[Any, pd.DataFrame]:
    train, score, y_class, y_reg = frames()
    y: Any = {"class": y_class, "reg": y_reg, "two": np.column_stack([y_reg, -2.0 * y_reg])}[target]
    return est.fit(train, y), score


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "bagging_classifier_tree": lambda: _fit(
        BaggingClassifier(_encoded(DecisionTreeClassifier(max_depth=3)), n_estimators=4, random_state=0), "class"
    ),
    "bagging_classifier_features": lambda: _fit(
        BaggingClassifier(
            make_pipeline(OneHotEncoder(handle_unknown="ignore"), LogisticRegression()),
            n_estimators=4, max_features=2, random_state=0,
        ),
        "class",
    ),
    "bagging_regressor_ridge": lambda: _fit(BaggingRegressor(_encoded(Ridge()), n_estimators=3, random_state=0), "reg"),
    "voting_soft": lambda: _fit(
        VotingClassifier(
            [("lr", _named(LogisticRegression(max_iter=1000))), ("tree", _named(DecisionTreeClassifier(max_depth=3)))],
            voting="soft",
        ),
        "class",
    ),
    "voting_regressor": lambda: _fit(
        VotingRegressor([("ridge", _named(Ridge())), ("tree", _named(DecisionTreeRegressor(max_depth=3)))]), "reg"
    ),
    "stacking": lambda: _fit(
        StackingClassifier(
            [("lr", _named(LogisticRegression(max_iter=1000))), ("tree", _named(DecisionTreeClassifier(max_depth=3)))],
            final_estimator=LogisticRegression(),
        ),
        "class",
    ),
    "one_vs_rest": lambda: _fit(OneVsRestClassifier(_named(LogisticRegression(max_iter=1000))), "class"),
    "calibrated": lambda: _fit(CalibratedClassifierCV(_named(LogisticRegression(max_iter=1000)), cv=3), "class"),
    "transformed_target": lambda: _fit(
        TransformedTargetRegressor(_named(Ridge()), func=np.exp, inverse_func=np.log, check_inverse=False), "reg"
    ),
    "multi_output": lambda: _fit(MultiOutputRegressor(_named(Ridge())), "two"),
}

fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_meta_over_text_pipelines(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)
