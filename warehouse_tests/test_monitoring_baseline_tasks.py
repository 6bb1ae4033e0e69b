"""The monitoring baseline of models that are neither classifiers nor regressors: a clusterer's
index and an outlier detector's flag are profiled as categories (their drift is a shift between
clusters), their scores as numbers, and no label metric is implied."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.ensemble import IsolationForest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import datasets
import skl2sql
from skl2sql.monitoring.baseline import Baseline, profile_training_data


def _shares(base: Baseline, feature: str) -> dict[str, float]:
    rows = [r for r in base.rows if r.feature == feature and r.stat == "category"]
    return {r.category: r.value for r in rows}


def test_clusterer_prediction_is_categorical() -> None:
    X, _ = datasets.iris()
    est = make_pipeline(StandardScaler(), KMeans(n_clusters=3, n_init=3, random_state=0)).fit(X)
    base = profile_training_data(X, skl2sql.compile(est, table="t"), est, ignore=())
    assert base.task == "clustering"
    assert base.prediction_categorical == ["prediction"] and base.prediction_numeric == []
    counts = pd.Series(est.predict(X)).value_counts(normalize=True)
    assert _shares(base, "prediction") == {str(k): v for k, v in counts.items()}


def test_outlier_detector_flag_and_scores() -> None:
    X, _ = datasets.breast_cancer()
    est = IsolationForest(n_estimators=10, random_state=0).fit(X)
    base = profile_training_data(X, skl2sql.compile(est, table="t"), est)
    assert base.task == "outlier_detection"
    assert base.prediction_categorical == ["prediction"]
    assert base.prediction_numeric == ["decision_function", "score_samples"]
    means = {r.feature: r.value for r in base.rows if r.role == "prediction" and r.stat == "mean"}
    assert np.isclose(means["score_samples"], est.score_samples(X).mean(), rtol=0, atol=1e-12)
    assert set(_shares(base, "prediction")) == {"1", "-1"}


def test_gaussian_mixture_component_is_categorical() -> None:
    """A Gaussian mixture is a density estimator whose ``predict`` is a component index: profiled
    as clustering, with its log-likelihood as a number (not as a regression prediction)."""
    from sklearn.mixture import GaussianMixture

    X, _ = datasets.iris()
    est = make_pipeline(StandardScaler(), GaussianMixture(n_components=3, random_state=0)).fit(X)
    base = profile_training_data(X, skl2sql.compile(est, table="t"), est, ignore=())
    assert base.task == "clustering"
    assert base.prediction_categorical == ["prediction"] and base.prediction_numeric == ["score_samples"]
    assert set(_shares(base, "prediction")) == {"0", "1", "2"}
