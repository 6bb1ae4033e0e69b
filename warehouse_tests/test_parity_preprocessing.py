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
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    Binarizer,
    FunctionTransformer,
    MaxAbsScaler,
    MinMaxScaler,
    Normalizer,
    PowerTransformer,
    QuantileTransformer,
    RobustScaler,
    StandardScaler,
)

import datasets
from engines import Engine
from parity import check_parity

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
_fitted: dict[str, tuple[Any, pd.DataFrame]] = {}


def fitted(name: str) -> tuple[Any, pd.DataFrame]:
    if name not in _fitted:
        _fitted[name] = CASES[name]()
    return _fitted[name]


@pytest.mark.parametrize("case", sorted(CASES))
def test_preprocessing_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)
