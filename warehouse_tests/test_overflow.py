"""Huge finite inputs never fail a query or give a row that contradicts itself.

An input of 1e308 (finite; a StandardScaler dividing by 0.014 makes it infinite) failed the whole
batch on PostgreSQL and MariaDB ("value out of range: overflow"; a view over the table errored on
every query, even one filtering to a good row) and gave DuckDB a label contradicting its own
probability. Now every input read as a finite number is checked against the program's overflow
bound (``CompiledModel.input_bound``, :mod:`skl2sql.analysis.overflow_bound`), so on every engine:

- a row scikit-learn refuses (an infinity reaches a step's input validation), or whose result it
  computes through an overflow (a NumPy FloatingPointError under ``errstate(over='raise')``, or a
  non-finite output), gives NULL in every output;
- a row within the bound gives scikit-learn's outputs exactly;
- a row beyond the bound (values near 1e300, 1e150 where a square is taken) may be NULL where
  scikit-learn has an answer: the bound assumes every input at it at once (docs/linear.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import load_breast_cancer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, PoissonRegressor, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer, PolynomialFeatures, StandardScaler
from sklearn.svm import SVC

import skl2sql
from engines import Engine
from parity import _is_null, _method_columns, case_cache

KEY = "row_id"


def data() -> tuple[pd.DataFrame, np.ndarray]:
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.iloc[:, :5].copy()
    X.columns = ["radius", "texture", "perimeter", "area", "smoothness"]
    return X, np.asarray(y)


def huge_rows() -> pd.DataFrame:
    """Ordinary rows, then rows with one huge (or tiny) value in turn in each column."""
    X, _ = data()
    rows = [X.iloc[i].copy() for i in range(6)]
    for j, c in enumerate(X.columns):
        for v in (1e308, -1e308, 1.7976931348623157e308, 1e306, 1e300, -1e250, 1e200, 1e155, 1e100, 1e20):
            row = X.iloc[len(rows) % len(X)].copy()
            row[c] = v
            rows.append(row)
        row = X.iloc[j].copy()
        row[:] = 1e160  # every column large at once
        rows.append(row)
    return pd.DataFrame(rows).reset_index(drop=True)


def _fit(make: Callable[[], Any], target: str = "class") -> Callable[[], Any]:
    def fitted() -> Any:
        X, y = data()
        est = make()
        return est.fit(X, X["area"] / 100.0 if target == "count" else y)

    return fitted


CASES: dict[str, Callable[[], Any]] = {
    "scaled_logistic": _fit(lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))),
    "imputed_scaled_logistic": _fit(lambda: make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression(max_iter=5000))),
    "polynomial_ridge": _fit(lambda: make_pipeline(PolynomialFeatures(2), Ridge()), "count"),
    "poisson": _fit(lambda: make_pipeline(StandardScaler(), PoissonRegressor()), "count"),
    "svc_rbf": _fit(lambda: make_pipeline(StandardScaler(), SVC())),
    "mlp": _fit(lambda: make_pipeline(StandardScaler(), MLPClassifier((8,), max_iter=300, random_state=0))),
    "kmeans": _fit(lambda: make_pipeline(StandardScaler(), KMeans(3, n_init=2, random_state=0))),
    "normalizer_logistic": _fit(lambda: make_pipeline(Normalizer(), LogisticRegression(max_iter=5000))),
    "gaussian_nb": _fit(lambda: GaussianNB()),
}
fitted = case_cache(CASES)


def sklearn_row(est: Any, row: pd.DataFrame, outputs: list[str]) -> dict[str, Any] | None:
    """The estimator's outputs for one row, or None where it refuses the row or computes it
    through an overflow."""
    try:
        with np.errstate(over="raise", invalid="raise"):
            got = _method_columns(est, row, outputs)
    except (ValueError, FloatingPointError):
        return None
    values = {k: v[0] for k, v in got.items()}
    if any(isinstance(v, (float, np.floating)) and not math.isfinite(v) for v in values.values()):
        return None
    return values


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("case", sorted(CASES))
def test_huge_inputs_give_null_rows_never_errors(case: str, engine: Engine) -> None:
    est = fitted(case)
    X = huge_rows()
    table = engine.new_table_name()
    columns: dict[str, list[Any]] = {KEY: list(range(len(X)))}
    columns.update({c: X[c].tolist() for c in X.columns})
    engine.create_table(table, columns)
    try:
        compiled = skl2sql.compile(est, table=table, dialect=engine.dialect, keep=[KEY])
        got = engine.query(compiled.sql)  # never an engine error
    finally:
        engine.drop_table(table)
    assert compiled.input_bound < 1.8e308
    order = np.argsort(got[KEY].astype(float))
    nulls_beyond_bound = 0
    for i in range(len(X)):
        ours = {o: got[o][order][i] for o in compiled.outputs}
        null = [_is_null(v) for v in ours.values()]
        assert all(null) or not any(null), f"row {i}: some outputs NULL, others not: {ours}"
        want = sklearn_row(est, X.iloc[[i]], compiled.outputs)
        if want is None:
            assert all(null), f"row {i} ({X.iloc[i].tolist()}): scikit-learn refuses or overflows, SQL gave {ours}"
            continue
        if all(null):
            assert np.abs(X.iloc[i].to_numpy()).max() > compiled.input_bound, (
                f"row {i} within the bound {compiled.input_bound:.3g} is NULL; scikit-learn: {want}"
            )
            nulls_beyond_bound += 1
            continue
        for o in compiled.outputs:
            w, g = want[o], ours[o]
            if o == "prediction" and not isinstance(w, (float, np.floating)):
                assert str(g) == str(w) or float(g) == float(w), (i, o, g, w)
            else:
                assert abs(float(g) - float(w)) <= 1e-9 + 1e-9 * abs(float(w)), (i, o, g, w)
    assert nulls_beyond_bound < len(X)  # the rows of the order of 1e20 and the ordinary ones are scored


def test_the_bound_is_where_intermediate_values_overflow() -> None:
    """A scaler dividing by 0.11 then a weight of 0.11: x / 0.11 overflows above DBL_MAX * 0.11,
    so the bound is the largest power of two below that; a square overflows above 1.3e154."""
    from sklearn.linear_model import LinearRegression

    X = pd.DataFrame({"a": [0.0, 0.1, 0.2, 0.3]})
    scaled = make_pipeline(StandardScaler(), LinearRegression()).fit(X, [0.0, 0.1, 0.2, 0.3])
    bound = skl2sql.compile(scaled, table="t").input_bound
    limit = 1.7976931348623157e308 * float(scaled[0].scale_[0])
    assert bound <= limit < 2 * bound
    squares = make_pipeline(PolynomialFeatures(2), LinearRegression()).fit(X, [0.0, 1.0, 4.0, 9.0])
    assert skl2sql.compile(squares, table="t").input_bound < 1.4e154
