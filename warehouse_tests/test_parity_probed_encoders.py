"""category_encoders' and feature_engine's encoders, on every engine.

skl2sql reads each fitted encoder by probing its ``transform`` (one row per category, NULL and an
unseen value per column; ``assemblers/probed_encoders.py``), so these tests hold the SQL to
``transform`` itself: every registered encoder with its default handling, NaN-returning and
refusing handling, over the mixed frame's hostile text categories, NULLs and unseen values; inside
pipelines before a linear model and a booster; and the safety check that refuses an encoder whose
output would mix columns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import datasets
import skl2sql
from engines import Engine
from parity import case_cache, check_parity
from skl2sql.errors import UnsupportedEstimatorError

ce = pytest.importorskip("category_encoders")
fe = pytest.importorskip("feature_engine.encoding")

pytestmark = pytest.mark.filterwarnings("ignore")  # category_encoders' pandas deprecation notices

NUMERIC = datasets.HOSTILE_NUMERIC[:3]
TEXT = ["colour", datasets.HOSTILE_NUMERIC[3]]
COLS = [*TEXT, NUMERIC[0]]

ENCODERS = [
    "OrdinalEncoder", "OneHotEncoder", "BinaryEncoder", "BaseNEncoder", "GrayEncoder", "HelmertEncoder",
    "SumEncoder", "BackwardDifferenceEncoder", "PolynomialEncoder", "TargetEncoder", "WOEEncoder",
    "MEstimateEncoder", "JamesSteinEncoder", "CountEncoder", "QuantileEncoder", "RankHotEncoder",
]
HANDLING = {
    "default": {},
    "return_nan": {"handle_unknown": "return_nan", "handle_missing": "return_nan"},
    "error": {"handle_unknown": "error"},
}


def _encoder(name: str, handling: str) -> Callable[[], tuple[Any, pd.DataFrame]]:
    def build() -> tuple[Any, pd.DataFrame]:
        train, score, y, _ = datasets.mixed()
        est = getattr(ce, name)(**HANDLING[handling]).fit(train[COLS], y)
        return est, score[COLS] if handling != "error" else score[COLS].iloc[:60]

    return build


def _pipeline(encoder: Any, final: Any) -> Callable[[], tuple[Any, pd.DataFrame]]:
    def build() -> tuple[Any, pd.DataFrame]:
        train, score, y, _ = datasets.mixed()
        cols = [*TEXT, *NUMERIC]
        model = make_pipeline(encoder, StandardScaler(), final).fit(train[cols], y)
        return model, score.loc[score[NUMERIC].notna().all(axis=1), cols]

    return build


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    f"{n}_{h}": _encoder(n, h) for n in ENCODERS for h in HANDLING
}
CASES["pipeline_target_logreg"] = _pipeline(ce.TargetEncoder(), LogisticRegression(max_iter=2000))
CASES["pipeline_woe_hgb"] = _pipeline(ce.WOEEncoder(), HistGradientBoostingClassifier(max_iter=10, random_state=0))
CASES["pipeline_onehot_logreg"] = _pipeline(ce.OneHotEncoder(use_cat_names=True), LogisticRegression(max_iter=2000))


def _feature_engine(make: Callable[[], Any], rows: int | None = None) -> Callable[[], tuple[Any, pd.DataFrame]]:
    def build() -> tuple[Any, pd.DataFrame]:
        train, score, y, _ = datasets.mixed()
        est = make().fit(train[COLS], y)
        return est, score[COLS].iloc[:rows] if rows else score[COLS]

    return build


FE_CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "fe_onehot_default": _feature_engine(lambda: fe.OneHotEncoder(), rows=60),  # NaN raises: NULL rows
    "fe_onehot_top_categories": _feature_engine(lambda: fe.OneHotEncoder(top_categories=2), rows=60),
    "fe_onehot_drop_last": _feature_engine(lambda: fe.OneHotEncoder(drop_last=True), rows=60),
    "fe_ordinal_ordered_encode": _feature_engine(
        lambda: fe.OrdinalEncoder(encoding_method="ordered", unseen="encode", missing_values="ignore")
    ),
    "fe_ordinal_arbitrary_raise": _feature_engine(lambda: fe.OrdinalEncoder(encoding_method="arbitrary"), rows=60),
    "fe_count_frequency": _feature_engine(
        lambda: fe.CountFrequencyEncoder(encoding_method="frequency", unseen="encode", missing_values="ignore")
    ),
    "fe_mean_smoothing": _feature_engine(lambda: fe.MeanEncoder(smoothing=2.0, unseen="encode", missing_values="ignore")),
    "fe_woe": _feature_engine(lambda: fe.WoEEncoder(unseen="ignore", fill_value=0.5), rows=60),
}
CASES.update(FE_CASES)
fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_probed_encoder_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


def test_an_encoder_mixing_columns_is_refused() -> None:
    """The per-column reading is checked on mixed rows before anything is emitted: an encoder
    whose output depends on two columns is refused, naming the output."""
    train, _, y, _ = datasets.mixed()
    est = ce.OrdinalEncoder().fit(train[COLS], y)
    real = est.transform

    def mixing(X: pd.DataFrame, *args: Any, **kwargs: Any) -> pd.DataFrame:
        out = real(X, *args, **kwargs)
        out[TEXT[0]] = out[TEXT[0]] + 10 * out[TEXT[1]]  # colour's code now reads the other column
        return out

    est.transform = mixing  # type: ignore[method-assign]
    with pytest.raises(UnsupportedEstimatorError, match="colour"):
        skl2sql.compile(est, table="t", dialect="duckdb")


def test_unregistered_encoders_are_refused_by_name() -> None:
    train, _, y, _ = datasets.mixed()
    est = ce.HashingEncoder(n_components=4).fit(train[COLS], y)
    with pytest.raises(UnsupportedEstimatorError, match="HashingEncoder"):
        skl2sql.compile(est, table="t", dialect="duckdb")


def test_probe_values_never_meet_real_categories() -> None:
    """The unseen-value probe is not a fitted category, text or numeric."""
    from skl2sql.assemblers.libraries.probed_encoders import _unseen

    assert _unseen(["a", "b"]) not in ["a", "b"]
    assert _unseen([1.0, 5.0, -3.0]) not in [1.0, 5.0, -3.0]
    assert _unseen([1234567.891, 1234568.891]) not in [1234567.891, 1234568.891]
