"""feature_engine's imputers, outlier cappers and DropFeatures, on every engine.

Column by column on their ``variables_``, the others passing through: NULLs filled with the
fitted values (infinity kept), caps applied upper then lower (a NaN or an infinity in a capped
variable makes every output NULL under the default ``missing_values='raise'``, is kept or capped
under ``'ignore'``), dropped columns gone; alone, and in a pipeline before a linear model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline

import datasets
import skl2sql
from engines import Engine
from parity import case_cache, check_parity
from skl2sql.errors import UnsupportedEstimatorError

fe_imputation = pytest.importorskip("feature_engine.imputation")
fe_outliers = pytest.importorskip("feature_engine.outliers")
fe_selection = pytest.importorskip("feature_engine.selection")

pytestmark = pytest.mark.filterwarnings("ignore")  # feature_engine's pandas deprecation notices

NUMERIC = datasets.HOSTILE_NUMERIC[:3]
TEXT = "colour"


def _frames() -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    train, score, _, y = datasets.mixed()
    cols = [*NUMERIC, TEXT]
    return train[cols], score[cols], y


def _fit(make: Callable[[], Any], rows: int | None = None, complete: bool = False) -> Callable[[], tuple[Any, pd.DataFrame]]:
    def build() -> tuple[Any, pd.DataFrame]:
        train, score, y = _frames()
        if complete:
            train = train.dropna(subset=NUMERIC)
        est = make().fit(train, y)
        return est, score.iloc[:rows] if rows else score

    return build


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "mean_median": _fit(lambda: fe_imputation.MeanMedianImputer(imputation_method="median")),
    "arbitrary_number": _fit(lambda: fe_imputation.ArbitraryNumberImputer(arbitrary_number=-999.5)),
    "end_tail": _fit(lambda: fe_imputation.EndTailImputer(imputation_method="iqr", tail="left", fold=2)),
    "categorical_missing": _fit(lambda: fe_imputation.CategoricalImputer(variables=[TEXT])),
    "categorical_frequent": _fit(lambda: fe_imputation.CategoricalImputer(imputation_method="frequent", variables=[TEXT])),
    "winsorizer_raise": _fit(
        lambda: fe_outliers.Winsorizer(capping_method="gaussian", tail="both", fold=1.5, variables=NUMERIC[:2]),
        rows=60, complete=True,
    ),
    "winsorizer_ignore_iqr": _fit(
        lambda: fe_outliers.Winsorizer(capping_method="iqr", tail="right", fold=1.0, variables=NUMERIC, missing_values="ignore"),
        complete=True,
    ),
    "arbitrary_capper": _fit(
        lambda: fe_outliers.ArbitraryOutlierCapper(
            max_capping_dict={NUMERIC[0]: 0.5}, min_capping_dict={NUMERIC[1]: -0.25, NUMERIC[0]: 0.75},
            missing_values="ignore",
        ),
        complete=True,
    ),
    "drop_features": _fit(lambda: fe_selection.DropFeatures([NUMERIC[1]])),
    "pipeline_impute_cap_regress": lambda: _pipeline(),
}


def _pipeline() -> tuple[Any, pd.DataFrame]:
    train, score, y = _frames()
    model = make_pipeline(
        fe_imputation.MeanMedianImputer(variables=NUMERIC),
        fe_outliers.Winsorizer(capping_method="quantiles", fold=0.05, variables=NUMERIC),
        fe_selection.DropFeatures([TEXT]),
        LinearRegression(),
    )
    return model.fit(train, y), score


fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_feature_engine_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


def test_capper_indicators_are_refused() -> None:
    train, _, y = _frames()
    est = fe_outliers.Winsorizer(variables=NUMERIC, add_indicators=True).fit(train.dropna(subset=NUMERIC), y)
    with pytest.raises(UnsupportedEstimatorError, match="add_indicators"):
        skl2sql.compile(est, table="t", dialect="duckdb")
