"""Parity of kernel SVMs (SVC, NuSVC, SVR, NuSVR, OneClassSVM) on every engine: every kernel,
binary and multiclass (votes, ``break_ties``, the ovr decision function), string labels,
calibration over an SVC, and NULL-laden rows (refused: NULL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR, NuSVC, NuSVR, OneClassSVM

import datasets
import skl2sql
from engines import Engine
from parity import case_cache, check_parity


def _fit(est: Any, data: str, unsupervised: bool = False) -> tuple[Any, pd.DataFrame]:
    X, y = getattr(datasets, data)()
    model = make_pipeline(StandardScaler(), est)
    model = model.fit(X) if unsupervised else model.fit(X, y)
    return model, X.iloc[:: max(1, len(X) // 150)]


def _mixed(est: Any, target: str) -> tuple[Any, pd.DataFrame]:
    X, y, score = datasets.mixed_numeric_target(target)
    return make_pipeline(StandardScaler(), est).fit(X, y), score


def _zero_column(est: Any) -> tuple[Any, pd.DataFrame]:
    """A column that is 0 in every training row, so in every support vector: its NULLs at
    scoring time must still make the row NULL (sklearn refuses them), not vanish with the zero
    weights the dot products leave out."""
    X, y = datasets.iris()
    X = X.assign(zero=0.0)
    score = X.iloc[::5].copy()
    score.loc[score.index[::3], "zero"] = np.nan
    return est.fit(X, y), score


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "svc_linear_zero_column_nulls": lambda: _zero_column(SVC(kernel="linear")),
    "svr_poly_zero_column_nulls": lambda: _zero_column(SVR(kernel="poly", degree=2)),
    "svc_rbf_multiclass_labels": lambda: _fit(SVC(), "iris_named_labels"),
    "svc_rbf_break_ties": lambda: _fit(SVC(break_ties=True, C=0.5), "wine"),
    "svc_linear_binary": lambda: _fit(SVC(kernel="linear", C=0.1), "breast_cancer"),
    "svc_poly_multiclass": lambda: _fit(SVC(kernel="poly", degree=3, coef0=1.0), "wine"),
    "svc_poly_degree_5": lambda: _fit(SVC(kernel="poly", degree=5, gamma=0.05), "iris"),
    "nusvc_sigmoid_binary": lambda: _fit(NuSVC(kernel="sigmoid", nu=0.1, gamma=0.01), "breast_cancer"),
    "svr_rbf": lambda: _fit(SVR(C=50.0, epsilon=30.0), "diabetes"),
    "nusvr_poly": lambda: _fit(NuSVR(kernel="poly", degree=2, C=10.0), "diabetes"),
    "svr_linear": lambda: _fit(SVR(kernel="linear", C=5.0), "diabetes"),
    "one_class_rbf": lambda: _fit(OneClassSVM(nu=0.1, gamma="auto"), "wine", unsupervised=True),
    "one_class_sigmoid": lambda: _fit(OneClassSVM(kernel="sigmoid", nu=0.2, gamma=0.01), "wine", unsupervised=True),
    "calibrated_svc_multiclass": lambda: _fit(CalibratedClassifierCV(SVC(), ensemble=False), "wine"),
    "svc_mixed_nulls": lambda: _mixed(SVC(), "multi"),
    "svr_mixed_nulls": lambda: _mixed(SVR(kernel="poly", degree=2), "reg"),
}
fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_svm_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


@pytest.mark.parametrize(
    ("est", "match"),
    [
        (SVC(probability=True, random_state=0), "probability=True"),
        (SVC(decision_function_shape="ovo"), "decision_function_shape='ovo'"),
        (SVC(kernel="precomputed"), "kernel='precomputed'"),
    ],
    ids=["probability", "ovo", "precomputed"],
)
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_refused_settings(est: Any, match: str) -> None:
    X, y = datasets.wine()
    if est.kernel == "precomputed":
        est.fit(X.to_numpy() @ X.to_numpy().T, y)
        with pytest.raises(skl2sql.UnsupportedEstimatorError, match=match):
            skl2sql.compile(est, table="t", features=[f"k{i}" for i in range(len(X))])
        return
    est.fit(X, y)
    with pytest.raises(skl2sql.UnsupportedEstimatorError, match=match):
        skl2sql.compile(est, table="t")


def test_binary_ovo_shape_is_one_column() -> None:
    """With two classes ``decision_function_shape`` changes nothing: one decision column."""
    X, y = datasets.breast_cancer()
    est = SVC(decision_function_shape="ovo").fit(X, y)
    assert skl2sql.compile(est, table="t").outputs == ["prediction", "decision_function"]
