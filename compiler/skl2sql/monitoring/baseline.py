"""Training baseline: profile the training data (and the model's own predictions on it) into the
long table the dbt monitoring models compare every scoring batch against.

Why a table of bins and shares instead of the raw training sample: the warehouse then needs no
copy of the training data (which may be large or not allowed there), the seed stays small (tens of
rows per feature) and every drift metric becomes a join and a few sums. The price is a binning
error for KS and Wasserstein, bounded and documented in ``docs/monitoring.md``.

Binning rule (shared with the SQL and with :mod:`skl2sql.monitoring.reference`): interior edges
are the training quantiles at ``1/k .. (k-1)/k`` (``method="inverted_cdf"``, so every edge is a
training value), deduplicated and strictly below the training maximum; bin ``j`` holds
``lower < x <= upper``, the first bin has no lower edge and the last no upper edge, so every value
(also one outside the training range) falls in exactly one bin and no reference bin is empty.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import is_clusterer, is_outlier_detector
from sklearn.utils import get_tags

from ..errors import SchemaError

__all__ = [
    "BASELINE_COLUMNS",
    "BaselineRow",
    "Baseline",
    "load_training_data",
    "numeric_profile",
    "categorical_profile",
    "profile_training_data",
    "bin_edges",
    "category_text",
]

#: Columns of the baseline seed, in order.
BASELINE_COLUMNS = (
    "model_name",
    "model_version",
    "role",
    "feature",
    "kind",
    "stat",
    "bin",
    "lower_edge",
    "upper_edge",
    "category",
    "value",
    "center",
)


@dataclass(frozen=True)
class BaselineRow:
    """One row of the baseline seed.

    ``role``: ``feature``, ``prediction`` or ``label``. ``kind``: ``numeric`` or ``categorical``.
    ``stat``: ``rows``, ``null_share``, ``min``, ``max``, ``mean``, ``std`` (value in ``value``),
    ``bin`` (``bin``, ``lower_edge``, ``upper_edge``; ``value`` = share of non-null values,
    ``center`` = mean of the training values in the bin) or ``category`` (``category``,
    ``value`` = share of non-null values), and for a binary classifier's label ``positive_rate``.
    """

    role: str
    feature: str
    kind: str
    stat: str
    value: float | None = None
    bin: int | None = None
    lower_edge: float | None = None
    upper_edge: float | None = None
    category: str | None = None
    center: float | None = None


@dataclass
class Baseline:
    """A profiled training set: the seed rows plus what the monitoring SQL needs to know about the
    model (which columns are numeric or categorical, which outputs to watch, the task)."""

    rows: list[BaselineRow]
    numeric: list[str]
    categorical: list[str]
    prediction_numeric: list[str]
    prediction_categorical: list[str]
    task: str  # "binary", "multiclass", "regression", "clustering", "outlier_detection", "multioutput" or "other"
    classes: dict[str, str] = field(default_factory=dict)  # probability column -> class label text
    positive_class: str | None = None
    label_column: str | None = None
    training_rows: int = 0


def load_training_data(training_data: Any) -> Any:
    """A pandas DataFrame from a DataFrame, a parquet file or a CSV file."""
    try:
        import pandas as pd
    except ImportError as err:  # pragma: no cover - pandas comes with the dev/report extras
        raise ImportError("profiling training data needs pandas: pip install 'skl2sql[report]'") from err
    if isinstance(training_data, pd.DataFrame):
        return training_data
    path = Path(training_data)
    if not path.exists():
        raise FileNotFoundError(f"training data {path} does not exist")
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return pd.read_parquet(path)
    if suffix in (".csv", ".txt"):
        return pd.read_csv(path)
    raise SchemaError(f"training data {path}: expected a .parquet or .csv file")


def bin_edges(values: np.ndarray, bins: int) -> np.ndarray:
    """Interior bin edges of the non-null ``values`` (see the module docstring for the rule)."""
    if bins < 1:
        raise SchemaError("bins must be at least 1")
    if values.size == 0:
        return np.empty(0)
    qs = np.quantile(values, np.arange(1, bins) / bins, method="inverted_cdf") if bins > 1 else np.empty(0)
    edges = np.unique(qs)
    return edges[edges < values.max()]


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def numeric_profile(values: Any, feature: str, role: str, bins: int) -> list[BaselineRow]:
    """Rows, null share, min/max/mean/std (population, ddof=0) and quantile bins of one column."""
    x = np.asarray(values, dtype=np.float64)
    n = int(x.size)
    v = x[~np.isnan(x)]
    rows = [
        BaselineRow(role, feature, "numeric", "rows", float(n)),
        BaselineRow(role, feature, "numeric", "null_share", float(n - v.size) / n if n else None),
    ]
    if v.size == 0:
        return rows
    rows += [
        BaselineRow(role, feature, "numeric", "min", float(v.min())),
        BaselineRow(role, feature, "numeric", "max", float(v.max())),
        BaselineRow(role, feature, "numeric", "mean", _finite(float(v.mean()))),
        BaselineRow(role, feature, "numeric", "std", _finite(float(v.std()))),
    ]
    edges = bin_edges(v, bins)
    idx = np.searchsorted(edges, v, side="left")  # number of edges strictly below each value
    for j in range(edges.size + 1):
        in_bin = v[idx == j]
        rows.append(
            BaselineRow(
                role,
                feature,
                "numeric",
                "bin",
                value=in_bin.size / v.size,
                bin=j + 1,
                lower_edge=float(edges[j - 1]) if j > 0 else None,
                upper_edge=float(edges[j]) if j < edges.size else None,
                center=float(in_bin.mean()) if in_bin.size else None,
            )
        )
    return rows


def category_text(value: Any) -> str | None:
    """A category as the warehouse spells ``CAST(x AS VARCHAR)``: booleans lower-case, integral
    numbers without a fraction, NULL/NaN as None."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        if math.isnan(float(value)):
            return None
        return str(float(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover
        pass
    return str(value)


def categorical_profile(values: Any, feature: str, role: str) -> list[BaselineRow]:
    """Rows, null share and the share of every category among non-null values."""
    texts = [category_text(v) for v in values]
    n = len(texts)
    present = [t for t in texts if t is not None]
    rows = [
        BaselineRow(role, feature, "categorical", "rows", float(n)),
        BaselineRow(role, feature, "categorical", "null_share", float(n - len(present)) / n if n else None),
    ]
    counts: dict[str, int] = {}
    for t in present:
        counts[t] = counts.get(t, 0) + 1
    for c in sorted(counts):
        rows.append(BaselineRow(role, feature, "categorical", "category", counts[c] / len(present), category=c))
    return rows


def _is_numeric(series: Any) -> bool:
    import pandas as pd

    return bool(pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series))



def _assigns_clusters(estimator: Any) -> bool:
    """A clusterer, or a Gaussian mixture (a density estimator whose ``predict`` is a component
    index): its prediction is a category, not a number."""
    try:
        density = get_tags(estimator).estimator_type == "density_estimator"
    except Exception:  # noqa: BLE001 - objects without sklearn tags (raw boosters)
        density = False
    return is_clusterer(estimator) or (density and hasattr(estimator, "predict"))

def profile_training_data(
    training_data: Any,
    compiled: Any,
    estimator: Any,
    *,
    bins: int = 10,
    label_column: str | None = None,
    categorical: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> Baseline:
    """Profile the model's input features, its predictions on the training data and (when a label
    column is given or found) the label.

    ``compiled``: the :class:`~skl2sql.CompiledModel` (its ``features``, ``outputs``, ``classes``).
    ``categorical``: numeric-typed columns to treat as categories anyway. The label column is
    ``label_column``; else the one column of the data that is neither a feature nor in ``ignore``
    (keys, batch column), so a training file of features plus label needs no option; else a
    column named ``label``, ``target`` or ``y``; else there is no label.
    """
    df = load_training_data(training_data)
    features = list(compiled.features)
    missing = [f for f in features if f not in df.columns]
    if missing:
        raise SchemaError(f"training data lacks the model's feature columns {missing}")
    rows: list[BaselineRow] = []
    numeric: list[str] = []
    cats: list[str] = []
    for f in features:
        if f not in categorical and _is_numeric(df[f]):
            numeric.append(f)
            rows += numeric_profile(df[f].to_numpy(dtype=np.float64, na_value=np.nan), f, "feature", bins)
        else:
            cats.append(f)
            rows += categorical_profile(df[f].tolist(), f, "feature")

    X = df[features]
    outputs = list(compiled.outputs)
    classes_attr = getattr(estimator, "classes_", None)
    pred_numeric: list[str] = []
    pred_categorical: list[str] = []
    classes: dict[str, str] = {}
    positive: str | None = None
    if compiled.kind == "multioutput":
        # each target's prediction: a category for a classifier's labels, else a number; no
        # label metrics (one label column cannot hold several targets)
        task = "multioutput"
        pred = np.asarray(estimator.predict(X)).reshape(len(X), -1)
        for i in range(pred.shape[1]):
            col = f"prediction_{i}"
            if any(c.startswith(f"probability_{i}_") or c.startswith(f"decision_function_{i}_") for c in compiled.classes):
                rows += categorical_profile(list(pred[:, i]), col, "prediction")
                pred_categorical.append(col)
            else:
                rows += numeric_profile(pred[:, i].astype(np.float64), col, "prediction", bins)
                pred_numeric.append(col)
    elif classes_attr is not None:
        labels = [category_text(c) or "" for c in classes_attr]
        task = "binary" if len(labels) == 2 else "multiclass"
        prob_cols = [o for o in outputs if o.startswith("probability_")]
        dec_cols = [o for o in outputs if o.startswith("decision_function")]
        classes = {col: category_text(label) or "" for col, label in compiled.classes.items()}
        positive = labels[-1] if task == "binary" else None
        if prob_cols and hasattr(estimator, "predict_proba"):
            proba = np.asarray(estimator.predict_proba(X), dtype=np.float64)
            watch = prob_cols[-1:] if task == "binary" else prob_cols
            for col in watch:
                rows += numeric_profile(proba[:, prob_cols.index(col)], col, "prediction", bins)
                pred_numeric.append(col)
        elif dec_cols and hasattr(estimator, "decision_function"):
            dec = np.asarray(estimator.decision_function(X), dtype=np.float64).reshape(len(X), -1)
            for i, col in enumerate(dec_cols):
                rows += numeric_profile(dec[:, i], col, "prediction", bins)
                pred_numeric.append(col)
        rows += categorical_profile(list(estimator.predict(X)), "prediction", "prediction")
        pred_categorical.append("prediction")
    elif _assigns_clusters(estimator) or is_outlier_detector(estimator):
        # a cluster index or an inlier flag is a category: its drift is a shift between them
        task = "clustering" if _assigns_clusters(estimator) else "outlier_detection"
        rows += categorical_profile(list(estimator.predict(X)), "prediction", "prediction")
        pred_categorical.append("prediction")
        for col in ("decision_function", "score_samples"):
            if col in outputs and hasattr(estimator, col):
                values = np.asarray(getattr(estimator, col)(X), dtype=np.float64).ravel()
                rows += numeric_profile(values, col, "prediction", bins)
                pred_numeric.append(col)
    elif "prediction" in outputs and hasattr(estimator, "predict"):
        task = "regression"
        rows += numeric_profile(np.asarray(estimator.predict(X), dtype=np.float64).ravel(), "prediction", "prediction", bins)
        pred_numeric.append("prediction")
    else:
        task = "other"

    label = label_column
    if task == "multioutput":
        if label is not None:
            raise SchemaError(
                f"label_column={label!r}: a model with several targets has no single label column; "
                "its baseline profiles each prediction_<i> (no label metrics)"
            )
    elif label is None:
        extra = [str(c) for c in df.columns if c not in features and c not in ignore]
        named = [c for c in ("label", "target", "y") if c in extra]
        label = extra[0] if len(extra) == 1 else (named[0] if named else None)
    elif label not in df.columns:
        raise SchemaError(f"label column {label!r} is not in the training data")
    if label is not None:
        if task in ("binary", "multiclass"):
            rows += categorical_profile(df[label].tolist(), label, "label")
            if positive is not None:
                texts = [category_text(v) for v in df[label].tolist()]
                known = [t for t in texts if t is not None]
                rows.append(BaselineRow("label", label, "categorical", "positive_rate", sum(t == positive for t in known) / len(known) if known else None))
        else:
            rows += numeric_profile(df[label].to_numpy(dtype=np.float64, na_value=np.nan), label, "label", bins)

    return Baseline(
        rows=rows,
        numeric=numeric,
        categorical=cats,
        prediction_numeric=pred_numeric,
        prediction_categorical=pred_categorical,
        task=task,
        classes=classes,
        positive_class=positive,
        label_column=label,
        training_rows=len(df),
    )
