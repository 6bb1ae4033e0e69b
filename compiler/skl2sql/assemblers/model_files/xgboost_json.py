"""XGBoost's full JSON model (``booster.save_raw("json")``), read into the parts prediction needs.

Its numbers are shortest round-trip *float32* decimals: each is converted back to the exact
float32 XGBoost predicts with (``np.float32(text)``), never used as the nearest double. Read by
the XGBoost assembler (``libraries/xgboost_models.py``) and by model-as-data (``dbt/tree_data.py``).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...errors import UnsupportedEstimatorError

__all__ = ["XgbTree", "XgbModel", "parse_model_json", "model_of", "best_iterations"]


def _f32(v: Any) -> float:
    """The float32 a JSON number denotes (XGBoost writes float32 shortest round-trip text)."""
    return float(np.float32(float(v)))


@dataclass(frozen=True)
class XgbTree:
    """One tree. ``categories``: for each categorical split node, the category codes that go
    right (XGBoost's partition and one-hot splits alike: a code in the set goes right)."""

    left: list[int]
    right: list[int]
    feature: list[int]
    condition: list[float]
    default_left: list[bool]
    group: int
    categories: dict[int, frozenset[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class XgbModel:
    """The parsed model. ``categorical``: indices of categorical features (``feature_types``
    ``'c'``, or split as categories); ``category_values``: feature index -> the training
    categories in code order, where the model recorded them (see :func:`_recorded_categories`)."""

    objective: str
    base_score: list[float]
    num_class: int
    num_feature: int
    num_target: int
    feature_names: list[str]
    trees: list[XgbTree]
    category_values: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    categorical: frozenset[int] = frozenset()
    #: gblinear: ``(num_feature + 1) x groups`` float32 weights, the bias last (None: trees)
    linear: np.ndarray | None = None


def parse_model_json(raw: str | bytes, n_iterations: int | None = None) -> XgbModel:
    """Parse XGBoost's JSON model, keeping the trees of the first ``n_iterations`` iterations."""
    doc = json.loads(raw)
    learner = doc["learner"]
    gb = learner["gradient_booster"]
    weights: list[float] | None = None
    if gb.get("name") == "dart":
        # prediction sums every tree scaled by its weight_drop (XGBoost multiplies in float32)
        weights = [_f32(w) for w in gb["weight_drop"]]
        gb = gb["gbtree"]
    mp = learner["learner_model_param"]
    if gb.get("name") == "gblinear":
        return _linear_model(learner, gb["model"], mp)
    if gb.get("name") != "gbtree":
        raise UnsupportedEstimatorError(
            f"XGBoost booster={gb.get('name')!r} is not supported (gbtree, dart and gblinear are)"
        )
    model = gb["model"]
    objective = learner["objective"]["name"]
    text = str(mp.get("base_score", "0")).strip("[]")
    base = [_f32(v) for v in text.split(",") if v.strip()]
    indptr = [int(v) for v in model.get("iteration_indptr", [])]
    trees_json = model["trees"]
    if n_iterations is not None and indptr and 0 < n_iterations < len(indptr) - 1:
        trees_json = trees_json[: indptr[n_iterations]]
    info = [int(v) for v in model["tree_info"]]
    trees: list[XgbTree] = []
    for i, t in enumerate(trees_json):
        if int(t["tree_param"].get("size_leaf_vector", "1")) > 1:
            raise UnsupportedEstimatorError("XGBoost vector-leaf (multi_strategy) trees are not supported")
        left = [int(v) for v in t["left_children"]]
        condition = [_f32(v) for v in t["split_conditions"]]
        if weights is not None:  # leaves hold their value in split_conditions
            w = np.float32(weights[i])
            condition = [float(w * np.float32(c)) if a < 0 else c for a, c in zip(left, condition, strict=True)]
        trees.append(
            XgbTree(
                left=left,
                right=[int(v) for v in t["right_children"]],
                feature=[int(v) for v in t["split_indices"]],
                condition=condition,
                default_left=[bool(int(v)) for v in t["default_left"]],
                group=info[i],
                categories=_categorical_splits(t),
            )
        )
    names = [str(n) for n in learner.get("feature_names", [])]
    types = [str(t) for t in learner.get("feature_types", [])]
    categorical = {j for j, t in enumerate(types) if t == "c"} | {t.feature[n] for t in trees for n in t.categories}
    return XgbModel(
        objective=objective,
        base_score=base,
        num_class=int(mp.get("num_class", "0")),
        num_feature=int(mp.get("num_feature", "0")),
        num_target=max(int(mp.get("num_target", "1")), 1),
        feature_names=names,
        trees=trees,
        category_values=_recorded_categories(model, names) if categorical else {},
        categorical=frozenset(categorical),
    )


def _linear_model(learner: dict[str, Any], model: dict[str, Any], mp: dict[str, Any]) -> XgbModel:
    """A ``gblinear`` booster: its weights as float32, one column per output group."""
    objective = learner["objective"]["name"]
    n_features = int(mp.get("num_feature", "0"))
    weights = np.array([_f32(v) for v in model["weights"]], dtype=np.float64)
    groups = len(weights) // (n_features + 1) if n_features else 1
    text = str(mp.get("base_score", "0")).strip("[]")
    return XgbModel(
        objective=objective,
        base_score=[_f32(v) for v in text.split(",") if v.strip()],
        num_class=int(mp.get("num_class", "0")),
        num_feature=n_features,
        num_target=max(int(mp.get("num_target", "1")), 1),
        feature_names=[str(n) for n in learner.get("feature_names", [])],
        trees=[],
        linear=weights.reshape(n_features + 1, groups),
    )


def _categorical_splits(tree: dict[str, Any]) -> dict[int, frozenset[int]]:
    """Node -> category codes going right, for the tree's categorical splits (``split_type`` 1;
    each node's codes are a segment of the flat ``categories`` array)."""
    nodes = [int(v) for v in tree.get("categories_nodes", [])]
    segments = [int(v) for v in tree.get("categories_segments", [])]
    sizes = [int(v) for v in tree.get("categories_sizes", [])]
    flat = [int(v) for v in tree.get("categories", [])]
    out = {n: frozenset(flat[a : a + k]) for n, a, k in zip(nodes, segments, sizes, strict=True)}
    kinds = [int(v) for v in tree.get("split_type", [])]
    if any(k == 1 and n not in out for n, k in enumerate(kinds)) or any(k not in (0, 1) for k in kinds):
        raise UnsupportedEstimatorError("XGBoost tree with an unknown split type")
    return out


def _recorded_categories(model: dict[str, Any], names: Sequence[str]) -> dict[int, tuple[Any, ...]]:
    """Feature index -> training categories in code order, from the model's ``cats`` (XGBoost
    3.1+ records them for pandas or Arrow categorical columns): text as offsets into a byte
    array, numbers as they are.

    XGBoost 3.2 writes text offsets in characters over UTF-8 bytes, so a non-ASCII category is
    cut at the wrong places (and the last bytes are lost); its own predictions stay right (it
    re-codes with the same offsets), but the category values cannot be read back: refused."""
    out: dict[int, tuple[Any, ...]] = {}
    for j, enc in enumerate((model.get("cats") or {}).get("enc", [])):
        values = enc.get("values", [])
        if not values:
            continue
        if "offsets" not in enc:
            out[j] = tuple(values)
            continue
        raw = bytes(int(v) & 0xFF for v in values)
        if any(c >= 0x80 for c in raw):
            name = names[j] if j < len(names) else str(j)
            raise UnsupportedEstimatorError(
                f"XGBoost categorical feature {name!r} has non-ASCII categories, which XGBoost 3.2 "
                "records cut at the wrong places (character offsets over UTF-8 bytes); map them to "
                "ASCII before fitting"
            )
        offsets = [int(v) for v in enc["offsets"]]
        out[j] = tuple(raw[a:b].decode("ascii") for a, b in itertools.pairwise(offsets))
    return out


def model_of(booster: Any, sklearn_iterations: int | None) -> XgbModel:
    """The parsed model of ``booster``, keeping ``sklearn_iterations`` iterations (None: all)."""
    return parse_model_json(booster.save_raw("json"), sklearn_iterations)


def best_iterations(est: Any) -> int | None:
    """Iterations the sklearn wrapper's predict uses: ``best_iteration + 1`` after early stopping."""
    try:
        best = est.best_iteration
    except AttributeError:
        return None
    return int(best) + 1 if best is not None else None
