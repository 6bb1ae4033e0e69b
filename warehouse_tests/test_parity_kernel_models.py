"""Parity of KernelRidge (every kernel written), GaussianProcessRegressor (kernel trees),
GaussianProcessClassifier (binary Laplace, one-vs-rest, one-vs-one), PLSRegression and
EllipticEnvelope on every engine, with NULL-laden rows (refused: NULL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.covariance import EllipticEnvelope
from sklearn.cross_decomposition import PLSRegression
from sklearn.gaussian_process import GaussianProcessClassifier, GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, DotProduct, ExpSineSquared, Matern, RationalQuadratic, WhiteKernel
from sklearn.gaussian_process.kernels import ConstantKernel as C
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


def _gp(kernel: Any, normalize_y: bool = False) -> tuple[Any, pd.DataFrame]:
    X, y = datasets.diabetes()
    X, y = X.iloc[:100], y[:100]
    est = make_pipeline(StandardScaler(), GaussianProcessRegressor(kernel, normalize_y=normalize_y, random_state=0))
    return est.fit(X, y), X.iloc[::2]


def _gpc(est: GaussianProcessClassifier, data: str, rows: int = 60) -> tuple[Any, pd.DataFrame]:
    """A classifier over ``rows`` training rows (its SQL grows with their square)."""
    X, y = getattr(datasets, data)()
    X, y = X.iloc[: rows * 2 : 2], y[: rows * 2 : 2]
    return make_pipeline(StandardScaler(), est).fit(X, y), X


def _gpc_mixed(est: GaussianProcessClassifier) -> tuple[Any, pd.DataFrame]:
    X, y, score = datasets.mixed_numeric_target("binary")
    return make_pipeline(StandardScaler(), est).fit(X.iloc[:80], y[:80]), score


def _gp_targets(kernel: Any) -> tuple[Any, pd.DataFrame]:
    X, y = datasets.diabetes()
    X, y = X.iloc[:100], y[:100]
    est = make_pipeline(StandardScaler(), GaussianProcessRegressor(kernel, normalize_y=True, random_state=0))
    return est.fit(X, np.c_[y, 2.0 * y + 1.0]), X.iloc[::2]


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    # KernelRidge keeps every training row: iris (150 rows) keeps the SQL small
    "kernel_ridge_rbf": lambda: _fit(KernelRidge(alpha=1.0, kernel="rbf"), "iris"),
    "kernel_ridge_laplacian": lambda: _fit(KernelRidge(alpha=0.5, kernel="laplacian", gamma=0.2), "iris"),
    "kernel_ridge_poly": lambda: _fit(KernelRidge(alpha=1.0, kernel="polynomial", degree=3, coef0=0.5), "iris"),
    "kernel_ridge_sigmoid": lambda: _fit(KernelRidge(alpha=1.0, kernel="sigmoid", gamma=0.05), "iris"),
    "kernel_ridge_linear": lambda: _fit(KernelRidge(alpha=1.0), "iris"),
    "kernel_ridge_mixed_nulls": lambda: _mixed(KernelRidge(alpha=1.0, kernel="rbf")),
    # GaussianProcessRegressor keeps every training row: 100 diabetes rows
    "gp_rbf_white_normalized": lambda: _gp(C(1.0) * RBF(1.0) + WhiteKernel(1.0), normalize_y=True),
    "gp_anisotropic_rbf": lambda: _gp(C(1.0) * RBF(np.ones(10))),
    "gp_matern_15": lambda: _gp(Matern(nu=1.5) + WhiteKernel(), normalize_y=True),
    "gp_matern_25": lambda: _gp(Matern(nu=2.5)),
    "gp_matern_05_rational_quadratic": lambda: _gp(Matern(nu=0.5) + RationalQuadratic()),
    "gp_dot_product_power": lambda: _gp((DotProduct() + WhiteKernel()) ** 2, normalize_y=True),
    "gp_two_targets": lambda: _gp_targets(C(1.0) * RBF(1.0) + WhiteKernel(1.0)),
    # GaussianProcessClassifier keeps every training row, squared (n^2 terms per row): 45-60 rows
    "gpc_binary_rbf": lambda: _gpc(GaussianProcessClassifier(random_state=0), "breast_cancer"),
    "gpc_binary_matern_white": lambda: _gpc(
        GaussianProcessClassifier(C(1.0) * Matern(nu=1.5) + WhiteKernel(0.1), random_state=0), "breast_cancer"
    ),
    "gpc_one_vs_rest_string_labels": lambda: _gpc(GaussianProcessClassifier(random_state=0), "iris_named_labels", rows=45),
    "gpc_one_vs_one": lambda: _gpc(GaussianProcessClassifier(multi_class="one_vs_one", random_state=0), "iris", rows=45),
    "gpc_mixed_nulls": lambda: _gpc_mixed(GaussianProcessClassifier(random_state=0)),
    "gp_mixed_nulls": lambda: _mixed(GaussianProcessRegressor(C(1.0) * RBF(1.0) + WhiteKernel(1.0), random_state=0)),
    "pls_scaled": lambda: _fit(PLSRegression(n_components=3), "diabetes", scale=False),
    "pls_unscaled": lambda: _fit(PLSRegression(n_components=2, scale=False), "diabetes", scale=False),
    "pls_mixed_nulls": lambda: _mixed(PLSRegression(n_components=2)),
    "elliptic_envelope": lambda: _fit(EllipticEnvelope(contamination=0.1, random_state=0), "wine", scale=False, unsupervised=True),
    "elliptic_envelope_scaled": lambda: _fit(
        EllipticEnvelope(contamination=0.2, random_state=0), "breast_cancer", unsupervised=True
    ),
}
fitted = case_cache(CASES)
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.mark.parametrize("case", sorted(CASES))
def test_kernel_model_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


def test_kernel_ridge_refusals() -> None:
    X, y = datasets.iris()
    est = KernelRidge(kernel="cosine").fit(X, y)
    with pytest.raises(skl2sql.UnsupportedEstimatorError, match="kernel='cosine'"):
        skl2sql.compile(est, table="t")


@pytest.mark.parametrize(
    ("kernel", "match"),
    [(ExpSineSquared(), "ExpSineSquared"), (Matern(nu=2.0), "Bessel")],
    ids=["exp_sine_squared", "matern_nu_2"],
)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_gaussian_process_refusals(kernel: Any, match: str) -> None:
    X, y = datasets.diabetes()
    est = GaussianProcessRegressor(kernel, optimizer=None).fit(X.iloc[:50], y[:50])
    with pytest.raises(skl2sql.UnsupportedEstimatorError, match=match):
        skl2sql.compile(est, table="t")


def test_gaussian_process_classifier_refuses_a_non_stationary_kernel() -> None:
    """DotProduct's variance k(x, x) differs by row; the compiled form assumes a constant one."""
    X, y = datasets.breast_cancer()
    est = GaussianProcessClassifier(DotProduct(), optimizer=None).fit(X.iloc[:40], y[:40])
    with pytest.raises(skl2sql.UnsupportedEstimatorError, match="non-stationary"):
        skl2sql.compile(est, table="t")
