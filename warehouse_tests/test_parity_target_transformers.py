"""Parity of TransformedTargetRegressor with PowerTransformer (Yeo-Johnson, Box-Cox, with and
without standardising) and QuantileTransformer (uniform and normal output) as the target
transformer, on every engine. The scored rows include the training rows and rows far outside
them (x3 and x-3), so predictions reach both clamped ends of the quantiles, the far tails of the
normal CDF and, for Yeo-Johnson, bases that NumPy turns into NaN (NULL in SQL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.special import ndtr
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PowerTransformer, QuantileTransformer, StandardScaler

import datasets
from engines import Engine
from parity import case_cache, check_parity
from skl2sql.assemblers.context import Context
from skl2sql.assemblers.shared.normal_dist import normal_cdf
from skl2sql.ir import Column
from skl2sql.ir.evaluate import evaluate_program
from skl2sql.program import Program


def _diabetes(est: Any, shift: float = 0.0, skew: bool = False) -> tuple[Any, pd.DataFrame]:
    X, y = datasets.diabetes()
    est.fit(X, np.exp(y / 40.0) if skew else y + shift)
    scored = pd.concat([X, X * 3.0, X * -3.0], ignore_index=True)
    return est, scored


def _mixed(est: Any) -> tuple[Any, pd.DataFrame]:
    X, y, score = datasets.mixed_numeric_target("positive")
    return est.fit(X, y), score


def _ttr(regressor: Any, transformer: Any) -> TransformedTargetRegressor:
    return TransformedTargetRegressor(regressor, transformer=transformer)


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "yeo_johnson_standardized": lambda: _diabetes(_ttr(make_pipeline(StandardScaler(), Ridge()), PowerTransformer())),
    "yeo_johnson_raw_negative_targets": lambda: _diabetes(_ttr(Ridge(alpha=0.1), PowerTransformer(standardize=False)), shift=-150.0),
    "yeo_johnson_skewed_nan_bases": lambda: _diabetes(_ttr(Ridge(alpha=0.01), PowerTransformer(standardize=False)), skew=True),
    "box_cox_standardized": lambda: _diabetes(_ttr(Ridge(), PowerTransformer(method="box-cox"))),
    "box_cox_raw": lambda: _diabetes(_ttr(Ridge(alpha=0.1), PowerTransformer(method="box-cox", standardize=False))),
    "quantile_normal": lambda: _diabetes(_ttr(Ridge(alpha=0.1), QuantileTransformer(n_quantiles=300, output_distribution="normal"))),
    "quantile_uniform": lambda: _diabetes(_ttr(Ridge(alpha=0.1), QuantileTransformer(n_quantiles=100))),
    "quantile_normal_boosting": lambda: _diabetes(
        _ttr(GradientBoostingRegressor(n_estimators=20, random_state=0), QuantileTransformer(n_quantiles=200, output_distribution="normal"))
    ),
    "quantile_normal_mixed_nulls": lambda: _mixed(
        _ttr(make_pipeline(StandardScaler(), LinearRegression()), QuantileTransformer(n_quantiles=50, output_distribution="normal"))
    ),
}
fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_target_transformer_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


def test_cases_reach_what_they_claim() -> None:
    """The quantile cases hit both clamped ends; the skewed Yeo-Johnson case (negative lambda) has
    NaN predictions, which the SQL must give as NULL."""
    est, X = fitted("quantile_normal")
    pred = est.predict(X)
    q = est.transformer_.quantiles_[:, 0]
    assert (pred == q[0]).any() and (pred == q[-1]).any() and ((pred > q[0]) & (pred < q[-1])).any()
    est, X = fitted("yeo_johnson_skewed_nan_bases")
    with np.errstate(invalid="ignore"):
        assert np.isnan(est.predict(X)).any()


def test_normal_cdf_matches_scipy() -> None:
    """The CDF's Taylor pieces against ``scipy.special.ndtr``, the range's edges and beyond."""
    ctx = Context(reserved={"a"}, inputs={"a"})
    program = Program(("a",), (), (("p", normal_cdf(Column("a"), ctx)),))
    program = Program(("a",), tuple(ctx.stages), program.outputs)
    a = np.r_[np.linspace(-9.0, 9.0, 100_001), [-8.5, 8.5, -1e300, 1e300, 0.0]]
    got = evaluate_program(program, {"a": a})["p"]
    assert np.max(np.abs(got - ndtr(a))) < 1e-15
