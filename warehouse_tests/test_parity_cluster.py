"""Parity of KMeans, MiniBatchKMeans, BisectingKMeans, MeanShift, AffinityPropagation and Birch
``predict`` (the nearest centre, or a descent of bisections) and of Gaussian mixtures
(``predict``, ``predict_proba``, ``score_samples``, every covariance type, Bayesian too) on every
engine, with NULL-laden rows (refused: NULL), and the refusal of float32 models."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import AffinityPropagation, Birch, BisectingKMeans, KMeans, MeanShift, MiniBatchKMeans
from sklearn.mixture import BayesianGaussianMixture, GaussianMixture
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import datasets
import skl2sql
from engines import Engine
from parity import case_cache, check_parity
from skl2sql.ir.evaluate import evaluate_program


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
    "bisecting_kmeans_wine": lambda: _fit(BisectingKMeans(n_clusters=6, random_state=0), "wine"),
    "bisecting_kmeans_25_largest_cluster": lambda: _fit(
        BisectingKMeans(n_clusters=25, bisecting_strategy="largest_cluster", random_state=0), "breast_cancer"
    ),
    "bisecting_kmeans_mixed_nulls": lambda: _mixed(BisectingKMeans(n_clusters=4, random_state=0)),
    "mean_shift_wine": lambda: _fit(MeanShift(bandwidth=2.5), "wine"),
    "affinity_propagation_wine": lambda: _fit(AffinityPropagation(random_state=0), "wine"),
    "birch_three_clusters": lambda: _fit(Birch(n_clusters=3), "wine"),
    "birch_subclusters_mixed_nulls": lambda: _mixed(Birch(n_clusters=None, threshold=1.0)),
}
MIXTURES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "gmm_full_wine": lambda: _fit(GaussianMixture(n_components=3, random_state=0), "wine"),
    "gmm_tied_iris": lambda: _fit(GaussianMixture(n_components=3, covariance_type="tied", random_state=0), "iris"),
    "gmm_diag_breast_cancer": lambda: _fit(GaussianMixture(n_components=4, covariance_type="diag", random_state=0), "breast_cancer"),
    "gmm_spherical_mixed_nulls": lambda: _mixed(GaussianMixture(n_components=3, covariance_type="spherical", random_state=0)),
    "bayes_full_mixed_nulls": lambda: _mixed(BayesianGaussianMixture(n_components=4, random_state=0, max_iter=300)),
    "bayes_tied_dirichlet_wine": lambda: _fit(
        BayesianGaussianMixture(
            n_components=5, covariance_type="tied", weight_concentration_prior_type="dirichlet_distribution",
            random_state=0, max_iter=300,
        ),
        "wine",
    ),
    "bayes_diag_iris": lambda: _fit(BayesianGaussianMixture(n_components=3, covariance_type="diag", random_state=0, max_iter=300), "iris"),
    "bayes_spherical_wine": lambda: _fit(
        BayesianGaussianMixture(n_components=3, covariance_type="spherical", random_state=0, max_iter=300), "wine"
    ),
}
fitted = case_cache({**CASES, **MIXTURES})


@pytest.mark.parametrize("case", sorted(CASES))
def test_cluster_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    compiled = check_parity(est, X, engine)
    assert compiled.outputs == ["prediction"]


@pytest.mark.parametrize("case", sorted(MIXTURES))
def test_gaussian_mixture_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    compiled = check_parity(est, X, engine)
    k = est[-1].n_components
    assert compiled.outputs == ["prediction", *(f"probability_{i}" for i in range(k)), "score_samples"]
    # the components are not all alike: a constant label would pass a weak check
    assert len(set(est.predict(X.dropna()))) > 1


def test_gaussian_mixture_float32_refused() -> None:
    X, _ = datasets.iris()
    est = GaussianMixture(n_components=2, random_state=0).fit(X.to_numpy(dtype=np.float32))
    with pytest.raises(skl2sql.UnsupportedEstimatorError, match="float32"):
        skl2sql.compile(est, table="t", features=list(X.columns))


def test_bisecting_kmeans_without_centring() -> None:
    """Data sklearn did not centre (no ``_X_mean``): the centres are used as they are."""
    X, _ = datasets.iris()
    est = BisectingKMeans(n_clusters=4, random_state=0).fit(X.to_numpy())
    check_parity(est, X, None, features=list(X.columns))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_affinity_propagation_without_centres_labels_minus_one(engine: Engine) -> None:
    """An AffinityPropagation that did not converge has no centres: -1 for every row (NULL for
    a row with a NULL, which sklearn refuses)."""
    est, X = _mixed(AffinityPropagation(random_state=0))
    est[-1].cluster_centers_ = np.empty((0, X.shape[1]))
    compiled = check_parity(est, X, engine)
    got = compiled.evaluate({c: X[c].tolist() for c in compiled.features})["prediction"]
    assert {v for v in got.tolist() if v == v and v is not None} == {-1} and any(v != v or v is None for v in got.tolist())


def test_float32_model_refused() -> None:
    X, _ = datasets.iris()
    est = KMeans(n_clusters=3, n_init=1, random_state=0).fit(X.to_numpy(dtype=np.float32))
    with pytest.raises(skl2sql.UnsupportedEstimatorError, match="float32"):
        skl2sql.compile(est, table="t", features=list(X.columns))



def test_wide_argmax_first_of_ties_and_nulls(engine: Engine) -> None:
    """The tournament argmax of many values (used beyond eight centres): the first largest wins
    ties as ``numpy.argmax``, and any NULL makes the result NULL, in the IR and on the engine."""
    from skl2sql.assemblers.context import Context
    from skl2sql.assemblers.shared.prep_common import wide_argmax
    from skl2sql.dialects import resolve_dialect
    from skl2sql.ir import Column, lit
    from skl2sql.lowering import render
    from skl2sql.program import Program
    from skl2sql.sql import build_select

    rng = np.random.default_rng(3)
    k, n = 19, 300
    values = rng.integers(0, 4, size=(n, k)).astype(np.float64)  # many ties
    names = [f"v{i}" for i in range(k)]
    data: dict[str, list[Any]] = {c: values[:, i].tolist() for i, c in enumerate(names)}
    for row, col in ((5, 0), (6, 18), (7, 9)):
        data[names[col]][row] = None
    ctx = Context(reserved=set(names), inputs=set(names))
    label = wide_argmax([Column(c) for c in names], [lit(10 + i) for i in range(k)], ctx)
    program = Program(tuple(names), tuple(ctx.stages), (("label", label),))
    want = [None if r in (5, 6, 7) else 10 + int(np.argmax(values[r])) for r in range(n)]
    got_ir = evaluate_program(program, data)["label"]
    assert [None if v is None or v != v else int(v) for v in got_ir.tolist()] == want
    table = engine.new_table_name()
    engine.create_table(table, {"row_id": list(range(n)), **data})
    try:
        policy = resolve_dialect(engine.dialect)
        got = engine.query(render(build_select(program, table, ("row_id",), policy), policy))
    finally:
        engine.drop_table(table)
    order = np.argsort(got["row_id"].astype(float))
    assert [None if v is None or v != v else int(v) for v in got["label"][order].tolist()] == want
