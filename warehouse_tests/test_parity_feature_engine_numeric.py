"""feature_engine's transformations, discretisers, creation transformers and selectors, on every
engine.

The scoring rows include NULLs in every variable (feature_engine raises: the row is NULL), values
outside each formula's domain (log of 0 and of a negative, reciprocal of 0, arcsin above 1, a zero
reference in a division: refused, or ``fill_value``), values a power makes NaN (a negative base to
a fractional power: NULL in that cell) and, for the discretisers, every bin edge exactly and
one ulp either side.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_selection import SelectKBest, f_regression
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, PolynomialFeatures, StandardScaler

import datasets
import skl2sql
from engines import Engine
from parity import case_cache, check_parity
from skl2sql.errors import UnsupportedEstimatorError

fe_transformation = pytest.importorskip("feature_engine.transformation")
fe_discretisation = pytest.importorskip("feature_engine.discretisation")
fe_creation = pytest.importorskip("feature_engine.creation")
fe_scaling = pytest.importorskip("feature_engine.scaling")
fe_selection = pytest.importorskip("feature_engine.selection")
fe_wrappers = pytest.importorskip("feature_engine.wrappers")

pytestmark = pytest.mark.filterwarnings("ignore")  # feature_engine's and pandas' notices

A, B, C = datasets.HOSTILE_NUMERIC[:3]  # normal(0, 1); normal(50, 20); lognormal (positive)
SHARE = "share of 'total'"  # in [0, 1] when training
TEXT = "colour"


def _frames() -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """Training rows without NULLs, scoring rows with NULLs, extremes and domain violations."""
    train, score, y, y_reg = datasets.mixed()
    rng = np.random.default_rng(7)
    train = train[[A, B, C, TEXT]].copy()
    score = score[[A, B, C, TEXT]].copy()
    train[SHARE] = rng.uniform(0.0, 1.0, len(train))
    score[SHARE] = rng.uniform(0.0, 1.0, len(score))
    # domain edges: zeros, negatives, exactly 0 and 1, outside [0, 1]
    score.loc[60:63, C] = [0.0, -1.0, 0.0, 2.5]
    score.loc[64:67, A] = [0.0, 0.0, -0.5, 1.0]
    score.loc[68:73, SHARE] = [0.0, 1.0, 1.0000000000000002, -0.1, 1.5, np.nan]
    return train, score, y, y_reg


def _fit(make: Callable[[], Any], columns: list[str] | None = None, target: str = "class") -> Callable[[], tuple[Any, pd.DataFrame]]:
    def build() -> tuple[Any, pd.DataFrame]:
        train, score, y, y_reg = _frames()
        cols = columns or [A, B, C, TEXT, SHARE]
        est = make().fit(train[cols], y if target == "class" else y_reg)
        return est, score[cols]

    return build


def _at_edges(make: Callable[[], Any], variables: list[str]) -> Callable[[], tuple[Any, pd.DataFrame]]:
    """A discretiser scored on its own finite bin edges and one ulp either side of each."""

    def build() -> tuple[Any, pd.DataFrame]:
        train, score, y, _ = _frames()
        cols = [A, B, C, TEXT]
        est = make().fit(train[cols], y)
        rows = [score[cols]]
        for v in variables:
            edges = [e for e in est.binner_dict_[v] if np.isfinite(e)]
            values = [x for e in edges for x in (np.nextafter(e, -np.inf), e, np.nextafter(e, np.inf))]
            extra = pd.DataFrame({c: [score[c].iloc[0]] * len(values) for c in cols})
            extra[v] = values
            rows.append(extra)
        return est, pd.concat(rows, ignore_index=True)

    return build


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "log_e": _fit(lambda: fe_transformation.LogTransformer(variables=[C])),
    "log_10": _fit(lambda: fe_transformation.LogTransformer(variables=[C, SHARE], base="10"), [C, SHARE, TEXT]),
    "log_cp_auto": _fit(lambda: fe_transformation.LogCpTransformer(variables=[A, C], C="auto")),
    "log_cp_number": _fit(lambda: fe_transformation.LogCpTransformer(variables=[C], C=0.5, base="10")),
    "reciprocal": _fit(lambda: fe_transformation.ReciprocalTransformer(variables=[A, C])),
    "power_half": _fit(lambda: fe_transformation.PowerTransformer(variables=[A, C], exp=0.5)),
    "power_cube": _fit(lambda: fe_transformation.PowerTransformer(variables=[A, B], exp=3)),
    "power_negative": _fit(lambda: fe_transformation.PowerTransformer(variables=[B], exp=-2)),
    "boxcox": _fit(lambda: fe_transformation.BoxCoxTransformer(variables=[C, SHARE]), [C, SHARE, TEXT]),
    "yeojohnson": _fit(lambda: fe_transformation.YeoJohnsonTransformer(variables=[A, B, SHARE])),
    "arcsin": _fit(lambda: fe_transformation.ArcsinTransformer(variables=[SHARE])),
    "arcsinh": _fit(lambda: fe_transformation.ArcSinhTransformer(variables=[A, B, C], loc=1.5, scale=2.0)),
    "mean_normalization": _fit(lambda: fe_scaling.MeanNormalizationScaler(variables=[A, B, C])),
    "equal_width": _at_edges(lambda: fe_discretisation.EqualWidthDiscretiser(bins=6, variables=[A, B]), [A, B]),
    "equal_frequency": _at_edges(lambda: fe_discretisation.EqualFrequencyDiscretiser(q=5, variables=[A, C]), [A, C]),
    "geometric_width": _at_edges(lambda: fe_discretisation.GeometricWidthDiscretiser(bins=4, variables=[C]), [C]),
    "arbitrary_ignore": _at_edges(
        lambda: fe_discretisation.ArbitraryDiscretiser(
            binning_dict={A: [-2.0, -0.5, 0.0, 0.5, 2.0], B: [-np.inf, 40.0, 60.0, np.inf]}, errors="ignore"
        ),
        [A, B],
    ),
    "arbitrary_raise": _at_edges(
        lambda: fe_discretisation.ArbitraryDiscretiser(binning_dict={A: [-5.0, 0.0, 5.0]}, errors="raise"), [A]
    ),
    "tree_regression_prediction": _fit(
        lambda: fe_discretisation.DecisionTreeDiscretiser(variables=[A, C], regression=True, cv=2, precision=3),
        target="reg",
    ),
    "tree_classifier_prediction": _fit(
        lambda: fe_discretisation.DecisionTreeDiscretiser(
            variables=[A, B], regression=False, cv=2, scoring="accuracy", param_grid={"max_depth": [2, 3]}
        )
    ),
    "tree_bin_number": _at_edges(
        lambda: fe_discretisation.DecisionTreeDiscretiser(
            variables=[A], regression=False, cv=2, scoring="accuracy", bin_output="bin_number"
        ),
        [A],
    ),
    "wrap_standard_scaler": _fit(lambda: fe_wrappers.SklearnTransformerWrapper(StandardScaler(), variables=[A, C])),
    "wrap_imputer_text": _fit(
        lambda: fe_wrappers.SklearnTransformerWrapper(SimpleImputer(strategy="most_frequent"), variables=[TEXT, B])
    ),
    "wrap_one_hot": _fit(
        lambda: fe_wrappers.SklearnTransformerWrapper(
            OneHotEncoder(handle_unknown="ignore", sparse_output=False), variables=[TEXT]
        )
    ),
    "wrap_polynomial": _fit(
        lambda: fe_wrappers.SklearnTransformerWrapper(PolynomialFeatures(degree=2), variables=[A, B]), [A, B, C]
    ),
    "wrap_select_k_best": _fit(
        lambda: fe_wrappers.SklearnTransformerWrapper(SelectKBest(f_regression, k=2), variables=[A, B, C, SHARE]),
        target="reg",
    ),
    "cyclical": _fit(lambda: fe_creation.CyclicalFeatures(variables=[B, SHARE])),
    "cyclical_dict_drop": _fit(lambda: fe_creation.CyclicalFeatures(max_values={B: 24.0}, drop_original=True)),
    "relative_ignore": _fit(
        lambda: fe_creation.RelativeFeatures(variables=[A, B], reference=[C], func=["sub", "div", "add", "mul", "truediv"])
    ),
    "relative_raise_fill": _fit(
        lambda: fe_creation.RelativeFeatures(
            variables=[A, B], reference=[C], func=["div", "mul"], fill_value=0.0, missing_values="raise"
        )
    ),
    "relative_fill_ignore": _fit(
        lambda: fe_creation.RelativeFeatures(
            variables=[B, C], reference=[A], func=["div", "sub"], fill_value=-1.25, missing_values="ignore", drop_original=True
        )
    ),
    "math_raise": _fit(
        lambda: fe_creation.MathFeatures(variables=[A, B, C], func=["sum", "mean", "prod", "min", "max", "std", "var"])
    ),
    "math_ignore_named": _fit(
        lambda: fe_creation.MathFeatures(
            variables=[A, B, SHARE], func=["sum", "mean", "prod", "min", "max", "std", "var"], missing_values="ignore",
            new_variables_names=["s", "m", "p", "lo", "hi", "sd", "v"],
        )
    ),
    "math_numpy_callables": _fit(lambda: fe_creation.MathFeatures(variables=[A, B], func=[np.sum, np.max])),
    "drop_constant": _fit(lambda: fe_selection.DropConstantFeatures(tol=0.35, missing_values="ignore")),
    "drop_correlated": _fit(
        lambda: fe_selection.DropCorrelatedFeatures(threshold=0.05, variables=[A, B, C, SHARE])
    ),
    "single_feature_performance": _fit(
        lambda: fe_selection.SelectBySingleFeaturePerformance(LinearRegression(), scoring="r2", cv=2, threshold=0.05),
        [A, B, C, SHARE], target="reg",
    ),
    "pipeline": lambda: _pipeline(),
}


def _pipeline() -> tuple[Any, pd.DataFrame]:
    train, score, _, y_reg = _frames()
    cols = [A, B, C, SHARE]
    model = make_pipeline(
        fe_transformation.YeoJohnsonTransformer(variables=[A, B]),
        fe_transformation.LogCpTransformer(variables=[C], C=1.0),
        fe_creation.RelativeFeatures(variables=[A], reference=[B], func=["mul"]),
        fe_discretisation.EqualFrequencyDiscretiser(q=4, variables=[SHARE]),
        LinearRegression(),
    )
    return model.fit(train[cols], y_reg), score[cols]


fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_feature_engine_numeric_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


def test_selectors_drop_columns() -> None:
    """The selector cases above do select: otherwise they would test nothing."""
    for case in ("drop_constant", "drop_correlated", "single_feature_performance"):
        est, _ = fitted(case)
        assert est.features_to_drop_, case


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: fe_discretisation.EqualWidthDiscretiser(variables=[A], return_object=True), "return_object"),
        (lambda: fe_discretisation.EqualWidthDiscretiser(variables=[A], return_boundaries=True), "return_boundaries"),
        (lambda: fe_creation.RelativeFeatures(variables=[A], reference=[B], func=["mod"]), "mod"),
        (lambda: fe_creation.MathFeatures(variables=[A, B], func="median"), "median"),
        (lambda: fe_creation.MathFeatures(variables=[A, B], func=np.std), "std"),
        (
            lambda: fe_discretisation.DecisionTreeDiscretiser(
                variables=[A], cv=2, bin_output="boundaries", precision=2, regression=False, scoring="accuracy"
            ),
            "boundaries",
        ),
    ],
)
def test_refused_settings(make: Callable[[], Any], match: str) -> None:
    train, _, y, _ = _frames()
    est = make().fit(train[[A, B, C]], y)
    with pytest.raises(UnsupportedEstimatorError, match=match):
        skl2sql.compile(est, table="t", dialect="duckdb")
