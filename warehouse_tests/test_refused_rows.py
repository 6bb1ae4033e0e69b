"""A row a step refuses stays refused, whatever reads it next.

scikit-learn raises for a batch holding a NaN where a step does not take missing values
(PolynomialFeatures, Normalizer, PCA, a selector, ...), so the SQL gives NULL in every output of
that row. A refusing step's outputs are NULL there, which is enough when the model's outputs are
NULL whenever they are (most models: the check costs nothing). It is not enough where a later step
reads NULL as a missing value (an imputer, HistGradientBoosting, a random forest) or beside a
passthrough column: ``assemblers.refusals.guard_refusals`` guards the outputs then, and only then.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor, StackingRegressor
from sklearn.feature_selection import SelectKBest, f_regression
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer, PolynomialFeatures, StandardScaler

import datasets
from engines import Engine
from parity import case_cache, check_parity
from skl2sql.api import program_for

NUM = datasets.HOSTILE_NUMERIC[:3]


def _fit(make: Callable[[], Any], complete: bool = False) -> Callable[[], tuple[Any, pd.DataFrame]]:
    def build() -> tuple[Any, pd.DataFrame]:
        train, score, _, y = datasets.mixed()
        X = train[NUM]
        if complete:
            keep = X.notna().all(axis=1).to_numpy()
            X, y = X[keep], y[keep]
        return make().fit(X, y), score[NUM]

    return build


def _hgb() -> HistGradientBoostingRegressor:
    return HistGradientBoostingRegressor(max_iter=15, random_state=0)


#: case -> (model, whether the SQL needs the extra guard)
CASES: dict[str, tuple[Callable[[], tuple[Any, pd.DataFrame]], bool]] = {
    "poly_into_hgb": (_fit(lambda: make_pipeline(PolynomialFeatures(2), _hgb())), True),
    "normalizer_imputer_hgb": (_fit(lambda: make_pipeline(Normalizer(), SimpleImputer(), _hgb()), complete=True), True),
    "pca_into_forest": (
        _fit(lambda: make_pipeline(PCA(2), RandomForestRegressor(n_estimators=5, max_depth=3, random_state=0))), True
    ),
    "select_k_best_into_hgb": (_fit(lambda: make_pipeline(SelectKBest(f_regression, k=1), _hgb()), complete=True), True),
    "normalizer_beside_passthrough": (
        _fit(lambda: ColumnTransformer([("n", Normalizer(), NUM[:2]), ("p", "passthrough", NUM[2:])]), complete=True),
        True,
    ),
    "stacking_linear_base_hgb_final": (
        _fit(lambda: StackingRegressor([("lin", LinearRegression()), ("hgb", _hgb())], final_estimator=_hgb(), cv=2)),
        False,  # the stacking assembler refuses a row with a NULL base prediction itself
    ),
    # controls: the scaler takes NaN (the row is scored), the linear model is NULL anyway
    "scaler_into_hgb": (_fit(lambda: make_pipeline(StandardScaler(), _hgb())), False),
    "pca_into_linear": (_fit(lambda: make_pipeline(StandardScaler(), PCA(2), LinearRegression()), complete=True), False),
    "stacking_ridge_final": (
        _fit(lambda: StackingRegressor([("lin", LinearRegression()), ("hgb", _hgb())], final_estimator=Ridge(), cv=2)),
        False,
    ),
    "poly_into_linear": (_fit(lambda: make_pipeline(PolynomialFeatures(2), LinearRegression()), complete=True), False),
}
fitted = case_cache({name: make for name, (make, _) in CASES.items()})


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_rows_stay_refused(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


@pytest.mark.parametrize("case", sorted(CASES))
def test_guard_only_where_needed(case: str) -> None:
    """The extra guard appears exactly where the outputs would otherwise be scored."""
    est, _ = fitted(case)
    program, _ = program_for(est)
    guarded = any(name.endswith("_scored") for st in program.stages for name, _ in st.columns)
    assert guarded == CASES[case][1]
