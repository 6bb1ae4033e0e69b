"""Parity of IterativeImputer on every engine: the initial imputation, then every fitted step of
the imputation sequence (linear and tree regressors, random order, nearest features, bounds),
indicators, sentinel missing values, empty features dropped or kept, hostile column names."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_iterative_imputer  # noqa: F401 - makes IterativeImputer importable
from sklearn.impute import IterativeImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.tree import DecisionTreeRegressor

import datasets
import skl2sql
from engines import Engine
from parity import case_cache, check_parity


def _holes(X: pd.DataFrame, share: float = 0.15, seed: int = 0) -> pd.DataFrame:
    """``X`` with a share of cells missing, one row entirely missing and one complete row."""
    rng = np.random.default_rng(seed)
    out = X.mask(rng.random(X.shape) < share)
    out.iloc[5, :] = np.nan
    out.iloc[6, :] = X.iloc[6, :]
    return out


def _diabetes(imputer: IterativeImputer, columns: int = 5) -> tuple[Any, pd.DataFrame]:
    X, y = datasets.diabetes()
    X = _holes(X.iloc[:, :columns])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return make_pipeline(imputer, Ridge()).fit(X, y), X


def _sentinel() -> tuple[Any, pd.DataFrame]:
    X, y = datasets.diabetes()
    X = _holes(X.iloc[:, :4]).fillna(-1.0)
    X.iloc[9, 1] = np.nan  # sklearn refuses NaN when missing_values is a sentinel: NULL row
    # The harness then asks sklearn row by row, and a one-row batch with every cell missing gets
    # only the initial imputation from sklearn (it looks at the whole batch; the module docstring
    # of skl2sql.assemblers.scikit_learn.imputers documents this): keep one value in the all-missing row.
    X.iloc[5, 0] = 0.01
    imputer = IterativeImputer(missing_values=-1.0, max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = make_pipeline(imputer, Ridge()).fit(X.drop(index=X.index[9]), np.delete(y, 9))
    return est, X


def _empty(keep: bool) -> tuple[Any, pd.DataFrame]:
    X, y = datasets.diabetes()
    X = _holes(X.iloc[:, :4])
    X["never_seen"] = np.nan
    imputer = IterativeImputer(max_iter=3, keep_empty_features=keep, add_indicator=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = make_pipeline(imputer, Ridge()).fit(X, y)
    scored = X.copy()
    scored.loc[scored.index[:20], "never_seen"] = 3.0  # a value where fit saw none
    return est, scored


def _mixed() -> tuple[Any, pd.DataFrame]:
    X, y, score = datasets.mixed_numeric_target("binary")
    imputer = IterativeImputer(max_iter=4, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return make_pipeline(imputer, LogisticRegression()).fit(X, y), score


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "bayesian_ridge_default": lambda: _diabetes(IterativeImputer(random_state=0)),
    "indicator_and_bounds": lambda: _diabetes(
        IterativeImputer(add_indicator=True, min_value=-0.05, max_value=[0.1, 0.1, 0.08, 0.1, 0.1], max_iter=3, random_state=0)
    ),
    "tree_estimator": lambda: _diabetes(IterativeImputer(DecisionTreeRegressor(max_depth=3, random_state=0), max_iter=2, random_state=0)),
    "forest_estimator": lambda: _diabetes(
        IterativeImputer(RandomForestRegressor(n_estimators=3, max_depth=3, random_state=0), max_iter=2, random_state=0), columns=4
    ),
    "random_order_nearest_median": lambda: _diabetes(
        IterativeImputer(imputation_order="random", n_nearest_features=2, initial_strategy="median", max_iter=4, random_state=0)
    ),
    "descending_skip_complete": lambda: _diabetes(IterativeImputer(imputation_order="descending", skip_complete=True, max_iter=3, random_state=0)),
    "sentinel_missing_values": _sentinel,
    "empty_feature_dropped": lambda: _empty(False),
    "empty_feature_kept": lambda: _empty(True),
    "mixed_hostile_names": _mixed,
}
fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_iterative_imputer_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    compiled = check_parity(est, X, engine)
    imputer = est[0]
    # the chain really runs: a missing cell's value differs from the initial imputation
    scored = X.dropna() if case == "sentinel_missing_values" else X
    Xt = imputer.transform(scored)
    first = imputer.initial_imputer_.transform(scored)
    assert not np.allclose(Xt[:, : first.shape[1]], first, equal_nan=True), "the test would not see the chain"
    assert compiled.outputs == ["prediction", *(["probability_0", "probability_1"] if case == "mixed_hostile_names" else [])]


def test_transform_outputs_alone(engine: Engine) -> None:
    """As the last step: every imputed column (and indicator) by name, as ``transform``."""
    X, y = datasets.diabetes()
    X = _holes(X.iloc[:, :4])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = make_pipeline(IterativeImputer(add_indicator=True, max_iter=3, random_state=0), "passthrough").fit(X, y)
    compiled = check_parity(est, X, engine)
    assert compiled.outputs == [*X.columns, *(f"missingindicator_{c}" for c in X.columns)]


def test_sample_posterior_refused() -> None:
    X, y = datasets.diabetes()
    est = IterativeImputer(sample_posterior=True, max_iter=2, random_state=0).fit(_holes(X.iloc[:, :3]))
    with pytest.raises(skl2sql.UnsupportedEstimatorError, match="sample_posterior"):
        skl2sql.compile(est, table="t")
