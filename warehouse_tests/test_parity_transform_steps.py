"""Parity of transformer steps added for pipelines: KMeans distances and LDA's projection (the
``transform`` of predictors used as a step), the cross-decomposition transforms (PLSCanonical,
CCA, PLSSVD), KernelPCA and the kernel approximations (Nystroem with every kernel written,
RBFSampler, SkewedChi2Sampler), on every engine, with NULL-laden rows (refused: NULL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.cross_decomposition import CCA, PLSSVD, PLSCanonical
from sklearn.decomposition import KernelPCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.kernel_approximation import Nystroem, RBFSampler, SkewedChi2Sampler
from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

import datasets
import skl2sql
from engines import Engine
from parity import case_cache, check_parity


def _fit(steps: list[Any], data: str, rows: int = 120) -> tuple[Any, pd.DataFrame]:
    if data == "diabetes_few":  # KernelPCA keeps every training row in its SQL
        X, y = datasets.diabetes()
        X, y = X.iloc[:120], y[:120]
    else:
        X, y = getattr(datasets, data)()
    return make_pipeline(*steps).fit(X, y), X.iloc[:: max(1, len(X) // rows)]


def _mixed(steps: list[Any], target: str = "binary") -> tuple[Any, pd.DataFrame]:
    X, y, score = datasets.mixed_numeric_target(target)
    return make_pipeline(*steps).fit(X, y), score


def _two_targets(est: Any) -> tuple[Any, pd.DataFrame]:
    X, y = datasets.wine()
    return est.fit(X, np.c_[y, X.iloc[:, 0]]), X


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "kmeans_distances_logistic": lambda: _fit(
        [StandardScaler(), KMeans(n_clusters=5, n_init=2, random_state=0), LogisticRegression(max_iter=1000)], "wine"
    ),
    "kmeans_distances_alone": lambda: _fit([StandardScaler(), MiniBatchKMeans(n_clusters=4, n_init=2, random_state=0), "passthrough"], "iris"),
    "kmeans_distances_mixed_nulls": lambda: _mixed([StandardScaler(), KMeans(n_clusters=3, n_init=2, random_state=0), LogisticRegression()]),
    "lda_svd_logistic": lambda: _fit([StandardScaler(), LinearDiscriminantAnalysis(), LogisticRegression()], "wine"),
    "lda_eigen_alone": lambda: _fit([LinearDiscriminantAnalysis(solver="eigen", n_components=1), "passthrough"], "wine"),
    "lda_mixed_nulls": lambda: _mixed([LinearDiscriminantAnalysis(), LogisticRegression()], "multi"),
    "pls_canonical": lambda: _two_targets(PLSCanonical(n_components=2)),
    "cca": lambda: _two_targets(CCA(n_components=2)),
    "pls_svd": lambda: _two_targets(PLSSVD(n_components=2)),
    "nystroem_rbf_logistic": lambda: _fit(
        [StandardScaler(), Nystroem(n_components=25, random_state=0), LogisticRegression(max_iter=1000)], "breast_cancer"
    ),
    "nystroem_poly_ridge": lambda: _fit([StandardScaler(), Nystroem(kernel="poly", degree=2, n_components=20, random_state=0), Ridge()], "diabetes"),
    "nystroem_sigmoid_ridge": lambda: _fit(
        [StandardScaler(), Nystroem(kernel="sigmoid", gamma=0.05, n_components=20, random_state=0), Ridge()], "diabetes"
    ),
    "nystroem_laplacian_ridge": lambda: _fit([StandardScaler(), Nystroem(kernel="laplacian", n_components=20, random_state=0), Ridge()], "diabetes"),
    "nystroem_linear_mixed_nulls": lambda: _mixed([StandardScaler(), Nystroem(kernel="linear", n_components=10, random_state=0), LogisticRegression()]),
    "rbf_sampler_sgd": lambda: _fit(
        [StandardScaler(), RBFSampler(n_components=40, gamma=0.1, random_state=0), SGDClassifier(loss="log_loss", random_state=0)],
        "breast_cancer",
    ),
    "rbf_sampler_mixed_nulls": lambda: _mixed([StandardScaler(), RBFSampler(n_components=10, random_state=0), LogisticRegression()]),
    "kernel_pca_rbf_logistic": lambda: _fit(
        [StandardScaler(), KernelPCA(n_components=4, kernel="rbf", gamma=0.1), LogisticRegression()], "iris", rows=60
    ),
    "kernel_pca_poly_alone": lambda: _fit([StandardScaler(), KernelPCA(n_components=3, kernel="poly", degree=2), "passthrough"], "iris"),
    "kernel_pca_sigmoid_ridge": lambda: _fit(
        [StandardScaler(), KernelPCA(n_components=5, kernel="sigmoid", gamma=0.05), Ridge()], "diabetes_few"
    ),
    "kernel_pca_linear_mixed_nulls": lambda: _mixed([StandardScaler(), KernelPCA(n_components=2), LogisticRegression()]),
    "skewed_chi2_logistic": lambda: _fit(
        [MinMaxScaler(), SkewedChi2Sampler(skewedness=0.5, n_components=30, random_state=0), LogisticRegression(max_iter=1000)],
        "breast_cancer",
    ),
}
fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_transform_step_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


def test_skewed_chi2_refuses_rows_below_minus_skewedness(engine: Engine) -> None:
    """sklearn raises for any ``x <= -skewedness``; the SQL gives NULL for that row (and no engine
    error from ``ln`` of a non-positive number), and scores the other rows."""
    X, y = datasets.breast_cancer()
    est = make_pipeline(SkewedChi2Sampler(skewedness=1.0, n_components=8, random_state=0), LogisticRegression(max_iter=2000))
    est.fit(X, y)
    rows = X.iloc[:6].copy()
    rows.iloc[1, 0] = -1.0  # exactly -skewedness: ln(0)
    rows.iloc[3, 2] = -50.0  # ln of a negative
    compiled = check_parity(est, rows, engine)
    out = compiled.evaluate({c: rows[c].tolist() for c in compiled.features})
    assert [p is None or p != p for p in out["prediction"]] == [False, True, False, True, False, False]


def test_refusals() -> None:
    X, y = datasets.iris()
    # sklearn itself cannot fit such a pipeline (fit_transform raises): built from fitted steps
    lda = LinearDiscriminantAnalysis(solver="lsqr").fit(X, y)
    lsqr = Pipeline([("lda", lda), ("lr", LogisticRegression().fit(X.iloc[:, :2].to_numpy(), y))])
    with pytest.raises(skl2sql.UnsupportedEstimatorError, match="lsqr"):
        skl2sql.compile(lsqr, table="t")
    cosine = make_pipeline(Nystroem(kernel="cosine", n_components=5, random_state=0), LogisticRegression()).fit(X, y)
    with pytest.raises(skl2sql.UnsupportedEstimatorError, match="cosine"):
        skl2sql.compile(cosine, table="t")
    x32 = X.to_numpy(dtype=np.float32)
    km = make_pipeline(KMeans(n_clusters=2, n_init=1, random_state=0), LogisticRegression()).fit(x32, y)
    with pytest.raises(skl2sql.UnsupportedEstimatorError, match="float32"):
        skl2sql.compile(km, table="t", features=list(X.columns))
