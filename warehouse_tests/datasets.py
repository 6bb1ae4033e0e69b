"""Test data: datasets that ship with scikit-learn, and generated tables that are hard on SQL.

Nothing is downloaded. The generated tables carry categoricals, NULLs, huge and tiny magnitudes,
categories unseen at fit time and hostile names (quotes, spaces, unicode, SQL keywords) for both
columns and category values.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from sklearn import datasets

HOSTILE_NUMERIC = ['a"; drop table x; --', "select", "with space", "ünïcödé ñ", "it's"]
HOSTILE_CATEGORIES = ["O'Brien", 'say "hi"', "back\\slash", "ünï", "NULL", "", "drop table t;--"]


@cache
def iris() -> tuple[pd.DataFrame, np.ndarray]:
    X, y = datasets.load_iris(return_X_y=True, as_frame=True)
    return X, y.to_numpy()


@cache
def iris_named_labels() -> tuple[pd.DataFrame, np.ndarray]:
    X, y = iris()
    names = np.array(["setosa", "versi'color", "virginica 3"], dtype=object)
    return X, names[y]


@cache
def breast_cancer() -> tuple[pd.DataFrame, np.ndarray]:
    X, y = datasets.load_breast_cancer(return_X_y=True, as_frame=True)
    return X, y.to_numpy()


@cache
def wine() -> tuple[pd.DataFrame, np.ndarray]:
    X, y = datasets.load_wine(return_X_y=True, as_frame=True)
    return X, y.to_numpy()


@cache
def digits() -> tuple[pd.DataFrame, np.ndarray]:
    """Ten classes (8x8 images, 64 pixel columns): more classes than a one-CASE argmax is used for."""
    X, y = datasets.load_digits(return_X_y=True, as_frame=True)
    return X, y.to_numpy()


@cache
def diabetes() -> tuple[pd.DataFrame, np.ndarray]:
    X, y = datasets.load_diabetes(return_X_y=True, as_frame=True)
    return X, y.to_numpy()


@cache
def mixed(n: int = 400, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """A training frame and a scoring frame with numeric and categorical columns.

    Returns ``(X_train, X_score, y_class, y_reg)`` for the training rows. The scoring frame adds
    NULLs in every column, categories never seen in training and extreme magnitudes. Column names
    are hostile on purpose.
    """
    rng = np.random.default_rng(seed)
    num_a, num_b, num_c = HOSTILE_NUMERIC[0], HOSTILE_NUMERIC[1], HOSTILE_NUMERIC[2]
    cat_a, cat_b = "colour", HOSTILE_NUMERIC[3]
    cats_a = np.array(["red", "green", "blue", "yellow"], dtype=object)
    cats_b = np.array(HOSTILE_CATEGORIES[:5], dtype=object)

    def frame(m: int, scoring: bool) -> pd.DataFrame:
        a = rng.normal(0, 1, m)
        b = rng.normal(50, 20, m).round(2)
        c = rng.lognormal(0, 2, m)
        ca = rng.choice(cats_a, m, p=[0.4, 0.3, 0.2, 0.1]).astype(object)
        cb = rng.choice(cats_b, m).astype(object)
        df = pd.DataFrame({num_a: a, num_b: b, num_c: c, cat_a: ca, cat_b: cb})
        if scoring:
            idx = rng.permutation(m)
            df.loc[idx[:8], num_a] = np.nan
            df.loc[idx[8:14], num_b] = np.nan
            df.loc[idx[14:20], num_c] = np.nan
            df.loc[idx[20:26], cat_a] = None
            df.loc[idx[26:32], cat_b] = None
            df.loc[idx[32:38], cat_a] = "purple"  # unseen
            df.loc[idx[38:44], cat_b] = HOSTILE_CATEGORIES[5]  # unseen, empty string
            df.loc[idx[44:48], num_c] = 1e12
            df.loc[idx[48:52], num_c] = 1e-12
            df.loc[idx[52:56], num_a] = -1e6
        return df

    train = frame(n, False)
    score = frame(n // 2, True)
    logit = 0.8 * train[num_a] - 0.03 * (train[num_b] - 50) + (train[cat_a] == "red") * 1.2
    y_class = (logit + rng.normal(0, 0.5, n) > 0.3).astype(int).to_numpy()
    y_reg = (2.0 * train[num_a] + 0.1 * train[num_b] + np.log1p(train[num_c]) + rng.normal(0, 0.1, n)).to_numpy()
    return train, score, y_class, y_reg


def mixed_numeric_target(target: str) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """``(X_train, y, X_score)`` on the mixed frame's numeric columns, for linear-style models.

    ``target``: ``reg``, ``positive`` (for log-link GLMs; the scoring rows at 1e12, whose
    log-link prediction overflows to inf in NumPy, are left out), ``binary`` or ``multi`` (three
    string classes)."""
    numeric = HOSTILE_NUMERIC[:3]
    train, score, y_class, y_reg = mixed()
    y: np.ndarray
    if target == "reg":
        y = y_reg
    elif target == "positive":
        y = y_reg - y_reg.min() + 1.0
        score = score[~(score[numeric[2]] > 1e6)]
    elif target == "binary":
        y = y_class
    else:
        y = np.array(["low", "mid", "hi'gh"], dtype=object)[np.digitize(y_reg, np.quantile(y_reg, [0.33, 0.66]))]
    return train[numeric], y, score[numeric]
