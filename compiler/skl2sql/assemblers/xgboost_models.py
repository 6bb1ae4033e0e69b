"""XGBoost boosters and estimators (registered only when xgboost is installed).

The model is read from XGBoost's full JSON model (``booster.save_raw("json")``), whose numbers are
written as shortest round-trip *float32* decimals: each is converted back to the exact float32
XGBoost predicts with (``np.float32(text)``), never used as the nearest double.

Prediction semantics reproduced here (XGBoost ``predict_fn.h`` / CPU predictor):

- Inputs are cast to float32; a node goes left when ``float32(x) < split_condition`` (a float32),
  and NaN (SQL NULL) goes ``default_left``. :func:`float32_lt_threshold` turns each condition into
  an exact double comparison at compile time, so the SQL compares doubles and costs nothing extra.
- The margin starts at the base score in margin space (``base_score`` is stored in the objective's
  output space: ``logit`` for logistic objectives, ``log`` for poisson/gamma/tweedie; XGBoost 3.x
  stores one per class) and adds the float32 leaf values of the trees of the iterations ``predict``
  uses by default (``best_iteration`` after early stopping in the sklearn wrappers, else all).
- XGBoost accumulates the margin in **float32**; SQL sums the same float32 values in double. The
  results therefore differ by float32 rounding (relative ~1e-7 per tree, measured well under 1e-5
  on the test models), which is why XGBoost parity uses a documented float32 tolerance while the
  leaf routing is checked exactly (see docs/boosters.md).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import UnsupportedEstimatorError
from ..ir import Case, Compare, Expr, IsNull, Not, argmax, lit, sigmoid, softmax, sub
from ..program import Context, Feature, Prediction, label_literal
from .lightgbm_models import sum_trees
from .registry import register
from .tree_common import float32_lt_threshold, pin_casts, route_left, tree_case

__all__ = [
    "XgbTree",
    "XgbModel",
    "parse_model_json",
    "xgb_prediction",
    "base_margins",
    "best_iterations",
    "model_of",
    "IDENTITY_OBJECTIVES",
    "LOGISTIC_OBJECTIVES",
    "EXP_OBJECTIVES",
    "MULTI_OBJECTIVES",
]

_IDENTITY = frozenset(
    {
        "reg:squarederror",
        "reg:squaredlogerror",
        "reg:absoluteerror",
        "reg:pseudohubererror",
        "reg:quantileerror",
        "reg:linear",
        "binary:logitraw",
        "binary:hinge",
        "rank:pairwise",
        "rank:ndcg",
        "rank:map",
    }
)
_LOGISTIC = frozenset({"binary:logistic", "reg:logistic"})
_EXP = frozenset({"count:poisson", "reg:gamma", "reg:tweedie"})
_MULTI = frozenset({"multi:softprob", "multi:softmax"})
#: The objective families, by how margins become predictions (also read by model as data).
IDENTITY_OBJECTIVES, LOGISTIC_OBJECTIVES, EXP_OBJECTIVES, MULTI_OBJECTIVES = _IDENTITY, _LOGISTIC, _EXP, _MULTI


def _f32(v: Any) -> float:
    """The float32 a JSON number denotes (XGBoost writes float32 shortest round-trip text)."""
    return float(np.float32(float(v)))


@dataclass(frozen=True)
class XgbTree:
    left: list[int]
    right: list[int]
    feature: list[int]
    condition: list[float]
    default_left: list[bool]
    group: int


@dataclass(frozen=True)
class XgbModel:
    objective: str
    base_score: list[float]
    num_class: int
    num_feature: int
    feature_names: list[str]
    trees: list[XgbTree]


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
    if gb.get("name") != "gbtree":
        raise UnsupportedEstimatorError(
            f"XGBoost booster={gb.get('name')!r} is not supported (only gbtree and dart)"
        )
    model = gb["model"]
    mp = learner["learner_model_param"]
    if int(mp.get("num_target", "1")) > 1:
        raise UnsupportedEstimatorError("XGBoost multi-output (num_target > 1) models are not supported")
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
        if any(int(s) != 0 for s in t.get("split_type", [])):
            raise UnsupportedEstimatorError("XGBoost categorical splits (enable_categorical=True) are not supported")
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
            )
        )
    return XgbModel(
        objective=objective,
        base_score=base,
        num_class=int(mp.get("num_class", "0")),
        num_feature=int(mp.get("num_feature", "0")),
        feature_names=[str(n) for n in learner.get("feature_names", [])],
        trees=trees,
    )


def base_margins(model: XgbModel, n_groups: int) -> list[float]:
    """The starting margin of each output group, in float32 as XGBoost computes it."""
    base = model.base_score or [0.5]
    if len(base) == 1:
        base = base * n_groups
    if len(base) != n_groups:
        raise UnsupportedEstimatorError(f"XGBoost base_score has {len(base)} values for {n_groups} outputs")
    out = []
    one = np.float32(1.0)
    for b in base:
        b32 = np.float32(b)
        if model.objective in _LOGISTIC:
            m = -np.log(one / b32 - one)
        elif model.objective in _EXP:
            m = np.log(b32)
        else:
            m = b32
        out.append(float(np.float32(m)))
    return out


def _tree_expr(tree: XgbTree, xs: Sequence[Expr]) -> Expr:
    if tree.left[0] < 0:
        return lit(tree.condition[0])

    def split(n: int) -> Expr:
        x = xs[tree.feature[n]]
        d = float32_lt_threshold(tree.condition[n])
        cond: Expr = Compare("<=", x, lit(d)) if math.isfinite(d) else (
            Not(IsNull(x)) if d > 0 else Compare("<", lit(0), lit(0))
        )
        return route_left(x, cond, tree.default_left[n])

    def leaf(n: int) -> Expr:
        return lit(tree.condition[n])

    return tree_case(tree.left, tree.right, split, leaf)


def _margins(model: XgbModel, features: Sequence[Feature], ctx: Context) -> list[Expr]:
    if model.num_feature and model.num_feature != len(features):
        raise UnsupportedEstimatorError(
            f"XGBoost model has {model.num_feature} features, got {len(features)} input columns"
        )
    known = _IDENTITY | _LOGISTIC | _EXP | _MULTI
    if model.objective not in known:
        raise UnsupportedEstimatorError(f"XGBoost objective {model.objective!r} is not supported")
    n_groups = max(model.num_class, 1) if model.objective in _MULTI else 1
    xs = pin_casts([ctx.number(f.expr, finite=False) for f in features], ctx)  # infinity is a value
    starts = base_margins(model, n_groups)
    out: list[Expr] = []
    for g in range(n_groups):
        exprs = [_tree_expr(t, xs) for t in model.trees if t.group == g]
        out.append(sum_trees(exprs, ctx, f"margin{g}", start=lit(starts[g])))
    return out


def xgb_prediction(model: XgbModel, features: Sequence[Feature], ctx: Context, classes: Sequence[Any] | None) -> Prediction:
    """The Prediction of an XGBoost model; ``classes`` for classifiers (None: regressor)."""
    margins = ctx.materialize(_margins(model, features, ctx), "margin")
    obj = model.objective
    if classes is None:
        if len(margins) != 1:
            raise UnsupportedEstimatorError("XGBoost multi-class model used as a regressor is not supported")
        z = margins[0]
        if obj in _LOGISTIC:
            return Prediction("regressor", sigmoid(z))
        if obj in _EXP:
            from ..ir import safe_exp

            return Prediction("regressor", safe_exp(z))
        if obj == "binary:hinge":
            return Prediction("regressor", Case(((Compare(">", z, lit(0.0)), lit(1.0)),), lit(0.0)))
        return Prediction("regressor", z)
    labels = [label_literal(c) for c in classes]
    if obj in _MULTI:
        if len(margins) != len(classes):
            raise UnsupportedEstimatorError(f"XGBoost model has {len(margins)} classes, the estimator {len(classes)}")
        probs = ctx.materialize(softmax(margins, ctx.materialize), "proba")
        return Prediction("classifier", argmax(probs, labels), tuple(classes), proba=tuple(probs))
    if obj in _LOGISTIC and len(classes) == 2:
        p1 = ctx.materialize([sigmoid(margins[0])], "proba")[0]
        # XGBClassifier.predict: class 1 where p > 0.5
        label: Expr = Case(((Compare(">", p1, lit(0.5)), labels[1]),), labels[0])
        return Prediction("classifier", label, tuple(classes), proba=(sub(lit(1.0), p1), p1))
    raise UnsupportedEstimatorError(f"XGBoost objective {obj!r} cannot be used by a classifier")


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


_xgb: Any
try:  # pragma: no cover - exercised when xgboost is installed
    import xgboost as _xgb
except ImportError:  # pragma: no cover
    _xgb = None

if _xgb is not None:

    @register(_xgb.XGBRegressor, _xgb.XGBRanker)
    def assemble_xgb_regressor(est: Any, features: list[Feature], ctx: Context) -> Prediction:
        model = model_of(est.get_booster(), best_iterations(est))
        return xgb_prediction(model, features, ctx, None)

    @register(_xgb.XGBClassifier)
    def assemble_xgb_classifier(est: Any, features: list[Feature], ctx: Context) -> Prediction:
        model = model_of(est.get_booster(), best_iterations(est))
        return xgb_prediction(model, features, ctx, list(est.classes_))

    @register(_xgb.Booster)
    def assemble_xgb_booster(est: Any, features: list[Feature], ctx: Context) -> Prediction:
        """A raw booster predicts with every tree (``iteration_range=(0, 0)``). Logistic
        classification objectives give labels 0/1 and two probabilities, multi-class ones labels
        ``0..k-1`` and one probability per class; others give ``prediction``."""
        model = model_of(est, None)
        if model.objective == "binary:logistic":
            return xgb_prediction(model, features, ctx, [0, 1])
        if model.objective in _MULTI:
            return xgb_prediction(model, features, ctx, list(range(model.num_class)))
        return xgb_prediction(model, features, ctx, None)
