"""Parity of KernelRidge (every kernel written), PLSRegression and EllipticEnvelope on every
engine, with NULL-laden rows (refused: NULL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.covariance import EllipticEnvelope
from sklearn.cross_decomposition import PLSRegression
from sklearn.kernel_ridge import KernelRidge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import datasets
import skl2sql
from engines import Engine
from parity import case_cache, check_parity


def _fit(est: Any, data: str, scale: bool = True, unsupervised: bool = False, rows: int = 150) -> tuple[Any, pd.DataFrame]:
    X, y = getattr(datasets, data)()
    model = make_pipeline(StandardScaler(), est) if scale else est
    model = model.fit(X) if unsupervised else model.fit(X, y)
    return model, X.iloc[:: max(1, len(X) // rows)]


def _mixed(est: Any, target: str = "reg") -> tuple[Any, pd.DataFrame]:
    X, y, score = datasets.mixed_numeric_target(target)
    return make_pipeline(StandardScaler(), est).fit(X, y), score


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    # KernelRidge keeps every training row: iris (150 rows) keeps the SQL small
    "kernel_ridge_rbf": lambda: _fit(KernelRidge(alpha=1.0, kernel="rbf"), "iris"),
    "kernel_ridge_laplacian": lambda: _fit(KernelRidge(alpha=0.5, kernel="laplacian", gamma=0.2), "iris"),
    "kernel_ridge_poly": lambda: _fit(KernelRidge(alpha=1.0, kernel="polynomial", degree=3, coef0=0.5), "iris"),
    "kernel_ridge_sigmoid": lambda: _fit(KernelRidge(alpha=1.0, kernel="sigmoid", gamma=0.05), "iris"),
    "kernel_ridge_linear": lambda: _fit(KernelRidge(alpha=1.0), "iris"),
    "kernel_ridge_mixed_nulls": lambda: _mixed(KernelRidge(alpha=1.0, kernel="rbf")),
    "pls_scaled": lambda: _fit(PLSRegression(n_components=3), "diabetes", scale=False),
    "pls_unscaled": lambda: _fit(PLSRegression(n_components=2, scale=False), "diabetes", scale=False),
    "pls_mixed_nulls": lambda: _mixed(PLSRegression(n_components=2)),
    "elliptic_envelope": lambda: _fit(EllipticEnvelope(contamination=0.1, random_state=0), "wine", scale=False, unsupervised=True),
    "elliptic_envelope_scaled": lambda: _fit(
        EllipticEnvelope(contamination=0.2, random_state=0), "breast_cancer", unsupervised=True
    ),
}
fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_kernel_model_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


def test_kernel_ridge_refusals() -> None:
    X, y = datasets.iris()
    for est, match in (
        (KernelRidge(kernel="cosine"), "kernel='cosine'"),
        (KernelRidge(kernel="rbf"), "2 targets"),
    ):
        target = np.column_stack([y, y]) if match == "2 targets" else y
        est.fit(X, target)
        with pytest.raises(skl2sql.UnsupportedEstimatorError, match=match):
            skl2sql.compile(est, table="t")
