"""NeighborhoodComponentsAnalysis, SparsePCA, MiniBatchSparsePCA, BernoulliRBM,
FeatureAgglomeration, AdditiveChi2Sampler, LabelPropagation and LabelSpreading, alone and in
pipelines, on every engine.

Scoring rows carry NULLs and extreme magnitudes (sklearn refuses the row: NULL outputs); the
chi2 sampler's rows include zeros (their components are 0) and negatives (refused); the label
propagation rows include points so far from every training row that all kernel weights underflow
to 0, where sklearn's probabilities are NaN and its label the first class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import FeatureAgglomeration
from sklearn.decomposition import MiniBatchSparsePCA, SparsePCA
from sklearn.kernel_approximation import AdditiveChi2Sampler
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neighbors import NeighborhoodComponentsAnalysis
from sklearn.neural_network import BernoulliRBM
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.semi_supervised import LabelPropagation, LabelSpreading

import datasets
import skl2sql
from engines import Engine
from parity import case_cache, check_parity
from skl2sql.errors import UnsupportedEstimatorError

NUM = datasets.HOSTILE_NUMERIC[:3]


def _mixed(est: Any, target: str = "class") -> tuple[Any, pd.DataFrame]:
    train, score, yc, yr = datasets.mixed()
    return est.fit(train[NUM], yc if target == "class" else yr), score[NUM]


def _mixed_clean(est: Any, target: str = "class") -> tuple[Any, pd.DataFrame]:
    """Scoring rows without NULLs: sklearn's SparsePCA cannot transform a single row (its ridge
    solve returns a 1-d array), so the harness cannot ask it row by row which rows it refuses."""
    est, score = _mixed(est, target)
    return est, score.dropna().reset_index(drop=True)


def _iris(est: Any, rows: int = 150) -> tuple[Any, pd.DataFrame]:
    X, y = datasets.iris()
    return est.fit(X, y), X.iloc[:rows]


def _wine(est: Any) -> tuple[Any, pd.DataFrame]:
    X, y = datasets.wine()
    return est.fit(X, y), X


def _counts(est: Any) -> tuple[Any, pd.DataFrame]:
    """Non-negative data (a histogram-like table), scored with zeros, NULLs and negatives."""
    X, y = datasets.iris()
    score = X.copy().reset_index(drop=True)
    score.iloc[0, 0] = 0.0
    score.iloc[1, :] = 0.0
    score.iloc[2, 2] = -0.25
    score.iloc[3, 1] = np.nan
    score.iloc[4, 3] = 1e-300
    return est.fit(X, y), score


def _propagation(est: Any) -> tuple[Any, pd.DataFrame]:
    """Iris with a third of the labels hidden (-1), scored with far-away rows and NULLs."""
    X, y = datasets.iris()
    y = np.asarray(y).copy()
    y[np.arange(len(y)) % 3 == 0] = -1
    model = make_pipeline(StandardScaler(), est).fit(X, y)
    score = X.iloc[::2].copy().reset_index(drop=True)
    score.iloc[0, 0] = 40.0  # every weight underflows: NaN probabilities, first class
    score.iloc[1, 2] = -25.0
    score.iloc[2, 1] = np.nan
    return model, score


CASES: dict[str, Callable[[], tuple[Any, pd.DataFrame]]] = {
    "nca_iris": lambda: _iris(NeighborhoodComponentsAnalysis(n_components=2, random_state=0)),
    "nca_pipeline_nulls": lambda: _mixed(
        make_pipeline(StandardScaler(), NeighborhoodComponentsAnalysis(random_state=0), LogisticRegression())
    ),
    "sparse_pca_wine": lambda: _wine(make_pipeline(StandardScaler(), SparsePCA(n_components=4, alpha=0.5, random_state=0))),
    "sparse_pca_mixed": lambda: _mixed_clean(SparsePCA(n_components=2, ridge_alpha=0.1, random_state=0)),
    "minibatch_sparse_pca_pipeline": lambda: _mixed_clean(
        make_pipeline(StandardScaler(), MiniBatchSparsePCA(n_components=2, random_state=0, batch_size=20), LinearRegression()),
        target="reg",
    ),
    "rbm_iris": lambda: _iris(make_pipeline(MinMaxScaler(), BernoulliRBM(n_components=4, random_state=0, n_iter=5))),
    "rbm_pipeline_nulls": lambda: _mixed(
        make_pipeline(MinMaxScaler(), BernoulliRBM(n_components=3, random_state=0), LogisticRegression())
    ),
    "agglomeration_mean_wine": lambda: _wine(FeatureAgglomeration(n_clusters=4)),
    "agglomeration_max_nulls": lambda: _mixed(FeatureAgglomeration(n_clusters=2, pooling_func=np.max)),
    "agglomeration_min_pipeline": lambda: _mixed(
        make_pipeline(StandardScaler(), FeatureAgglomeration(n_clusters=2, pooling_func=np.min), LinearRegression()),
        target="reg",
    ),
    "chi2_default": lambda: _counts(AdditiveChi2Sampler()),
    "chi2_three_steps": lambda: _counts(AdditiveChi2Sampler(sample_steps=3)),
    "chi2_interval": lambda: _counts(AdditiveChi2Sampler(sample_steps=4, sample_interval=0.3)),
    "chi2_pipeline": lambda: _counts(make_pipeline(AdditiveChi2Sampler(sample_steps=1), LogisticRegression(max_iter=2000))),
    "label_propagation": lambda: _propagation(LabelPropagation(gamma=2.0, max_iter=2000)),
    "label_spreading": lambda: _propagation(LabelSpreading(gamma=2.0, alpha=0.3)),
    "label_propagation_default_gamma": lambda: _propagation(LabelPropagation(max_iter=2000)),
}
fitted = case_cache(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_more_sklearn_parity(case: str, engine: Engine) -> None:
    est, X = fitted(case)
    check_parity(est, X, engine)


def test_far_rows_really_underflow() -> None:
    """The far-away scoring row does give NaN probabilities in sklearn (else the case tests
    nothing special)."""
    est, X = fitted("label_propagation")
    proba = est.predict_proba(X.iloc[[0]])
    assert np.isnan(proba).all()


@pytest.mark.parametrize(
    "est, match",
    [
        (LabelSpreading(kernel="knn"), "knn"),
        (FeatureAgglomeration(n_clusters=2, pooling_func=np.median), "median"),
    ],
)
def test_refusals(est: Any, match: str) -> None:
    X, y = datasets.iris()
    est.fit(X, y)
    with pytest.raises(UnsupportedEstimatorError, match=match):
        skl2sql.compile(est, table="t")
