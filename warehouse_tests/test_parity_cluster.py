"""Parity of KMeans and MiniBatchKMeans ``predict`` (the nearest centre) on every engine, with
NULL-laden rows (refused: NULL), and the refusal of float32 models."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import datasets
import skl2sql
from engines import Engine
from parity import case_cache, check_parity


def _fit(est: Any, data: str) -> tuple[Any, pd.DataFrame]:
    X, _ = getattr(datasets, data)()
    return make_pipeline(StandardScaler(), est).fit(X), X


def _mixed(est: Any) -> tuple[Any, pd.DataFrame]:
    X, _, score = datasets.mixed_numeric_target("reg")
    return make_pipeline(StandardScaler(), est).fit(X), score


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "kmeans_iris": lambda: _fit(KMeans(n_clusters=3, n_init=3, random_state=0), "iris"),
    "kmeans_wine_8": lambda: _fit(KMeans(n_clusters=8, n_init=3, random_state=0), "wine"),
    "minibatch_breast_cancer": lambda: _fit(MiniBatchKMeans(n_clusters=5, n_init=3, random_state=0), "breast_cancer"),
    "kmeans_mixed_nulls": lambda: _mixed(KMeans(n_clusters=4, n_init=3, random_state=0)),
}
fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_cluster_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    compiled = check_parity(est, X, engine)
    assert compiled.outputs == ["prediction"]


def test_float32_model_refused() -> None:
    X, _ = datasets.iris()
    est = KMeans(n_clusters=3, n_init=1, random_state=0).fit(X.to_numpy(dtype=np.float32))
    with pytest.raises(skl2sql.UnsupportedEstimatorError, match="float32"):
        skl2sql.compile(est, table="t", features=list(X.columns))


def test_not_a_pipeline_feature_step() -> None:
    """KMeans inside a pipeline would be its transform (distances): refused, not mis-scored."""
    from sklearn.linear_model import LogisticRegression

    X, y = datasets.iris()
    est = make_pipeline(KMeans(n_clusters=3, n_init=1, random_state=0), LogisticRegression()).fit(X, y)
    with pytest.raises(skl2sql.UnsupportedEstimatorError, match="KMeans"):
        skl2sql.compile(est, table="t")
