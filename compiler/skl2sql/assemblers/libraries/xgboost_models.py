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
- ``booster='gblinear'``: the margin of each output group is the first base margin (XGBoost's
  ``GBLinear`` uses ``BaseScore()(0)`` for every group) plus the group's bias plus
  ``sum(x_j * w_jg)`` over the features present (a missing value, NULL, adds nothing, as XGBoost
  skips it); an infinite input makes the row NULL (XGBoost's output would be inf or NaN).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...errors import UnsupportedEstimatorError
from ...ir import (
    And,
    Case,
    Cast,
    Compare,
    Expr,
    InList,
    IsNull,
    Not,
    Or,
    lit,
    mul,
    safe_exp,
    sigmoid,
    softmax,
    sub,
    total,
)
from ..context import Context
from ..interface import Feature, Prediction, label_literal, several
from ..model_files.xgboost_json import XgbModel, XgbTree, best_iterations, model_of
from ..registry import register
from ..scikit_learn.trees import guard_prediction
from ..shared.prep_common import wide_argmax
from ..shared.tree_common import at_most, float32_lt_threshold, pin_casts, route_left, sum_trees, tree_case

__all__ = [
    "xgb_prediction",
    "base_margins",
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


def _tree_expr(tree: XgbTree, xs: Sequence[Expr], values: dict[int, tuple[Any, ...]]) -> Expr:
    if tree.left[0] < 0:
        return lit(tree.condition[0])

    def split(n: int) -> Expr:
        x = xs[tree.feature[n]]
        if n in tree.categories:  # a category XGBoost never saw refuses the row: _known_categories
            right = tuple(lit(values[tree.feature[n]][c]) for c in sorted(tree.categories[n]))
            return route_left(x, Not(InList(x, right)) if right else Not(IsNull(x)), tree.default_left[n])
        d = float32_lt_threshold(tree.condition[n])
        return route_left(x, at_most(x, d), tree.default_left[n])

    def leaf(n: int) -> Expr:
        return lit(tree.condition[n])

    return tree_case(tree.left, tree.right, split, leaf)


def _margins(model: XgbModel, features: Sequence[Feature], ctx: Context) -> tuple[list[Expr], Expr | None]:
    """The margin of each output group, and the condition for rows XGBoost accepts (None: all)."""
    if model.num_feature and model.num_feature != len(features):
        raise UnsupportedEstimatorError(
            f"XGBoost model has {model.num_feature} features, got {len(features)} input columns"
        )
    known = _IDENTITY | _LOGISTIC | _EXP | _MULTI
    if model.objective not in known:
        raise UnsupportedEstimatorError(f"XGBoost objective {model.objective!r} is not supported")
    # one tree group per class, or per target of a multi-target model (one_output_per_tree)
    n_groups = max(model.num_class, 1) if model.objective in _MULTI else model.num_target
    if model.linear is not None:
        return _linear_margins(model, features, ctx, n_groups), None
    _check_categorical(model, features)
    xs = pin_casts(
        [_category_input(model, j, f) if j in model.categorical else ctx.number(f.expr, finite=False)
         for j, f in enumerate(features)],
        ctx,
    )  # infinity is a value
    starts = base_margins(model, n_groups)
    out: list[Expr] = []
    for g in range(n_groups):
        exprs = [_tree_expr(t, xs, model.category_values) for t in model.trees if t.group == g]
        out.append(sum_trees(exprs, ctx, f"margin{g}", start=lit(starts[g])))
    return out, _known_categories(model, xs)


def _linear_margins(model: XgbModel, features: Sequence[Feature], ctx: Context, n_groups: int) -> list[Expr]:
    """``base + bias_g + sum(x_j w_jg)`` per group, a missing ``x_j`` adding nothing. Every group
    starts from the *first* base score: XGBoost's ``GBLinear`` predicts with
    ``BaseScore()(0)`` for all of them (a two-target model's second output is off by the
    difference of the two base scores otherwise; checked against XGBoost in the tests)."""
    assert model.linear is not None
    if model.linear.shape[1] != n_groups:
        raise UnsupportedEstimatorError(f"XGBoost gblinear model has {model.linear.shape[1]} weight columns for {n_groups} outputs")
    xs = ctx.materialize([ctx.number(f.expr, finite=True) for f in features], "x")
    start = base_margins(model, n_groups)[0]
    out = []
    for g in range(n_groups):
        w = model.linear[:, g]
        terms: list[Expr] = [lit(start), lit(float(w[-1]))]
        terms += [Case(((IsNull(x), lit(0.0)),), mul(x, lit(float(wj)))) for x, wj in zip(xs, w[:-1], strict=True) if wj != 0.0]
        out.append(total(terms))
    return out


def _check_categorical(model: XgbModel, features: Sequence[Feature]) -> None:
    """Refuse what cannot be read: a categorical split without recorded categories (XGBoost
    before 3.1, or codes from NumPy) and a numeric split on a categorical column."""
    for t in model.trees:
        for n in range(len(t.left)):
            j = t.feature[n]
            if t.left[n] < 0 or j not in model.categorical:
                continue
            if n not in t.categories:
                raise UnsupportedEstimatorError(f"XGBoost numerical split on categorical feature {features[j].name!r}")
            if not model.category_values.get(j):
                raise UnsupportedEstimatorError(
                    f"XGBoost categorical feature {features[j].name!r} has no recorded categories "
                    "(fit on a pandas categorical column with XGBoost 3.1 or later)"
                )


def _category_input(model: XgbModel, j: int, feature: Feature) -> Expr:
    """A categorical feature as SQL reads it: the text as it is; numeric categories as a double
    with a stored NaN read as NULL (pandas' missing category)."""
    values = model.category_values.get(j) or ()
    if values and not isinstance(values[0], str):
        return Cast(feature.expr, "number")
    return feature.expr


def _known_categories(model: XgbModel, xs: Sequence[Expr]) -> Expr | None:
    """True for rows whose categorical columns hold training categories or NULL. XGBoost 3.2
    raises for a category it never saw when it sorts after every training category, and scores
    one that sorts among them as missing (its re-coding searches the sorted categories); both are
    rows XGBoost was not trained to score, so the SQL refuses every unseen category: NULL outputs."""
    conds: list[Expr] = []
    for j, values in sorted(model.category_values.items()):
        if values and j < len(xs):
            conds.append(Or((IsNull(xs[j]), InList(xs[j], tuple(lit(v) for v in values)))))
    if not conds:
        return None
    return And(tuple(conds)) if len(conds) > 1 else conds[0]


def xgb_prediction(model: XgbModel, features: Sequence[Feature], ctx: Context, classes: Sequence[Any] | None) -> Prediction:
    """The Prediction of an XGBoost model; ``classes`` for classifiers (None: regressor)."""
    margins, accepted = _margins(model, features, ctx)
    prediction = _prediction(model, ctx.materialize(margins, "margin"), ctx, classes)
    return prediction if accepted is None else guard_prediction(prediction, accepted, ctx)


def _link(obj: str, z: Expr) -> Expr:
    """A regression objective's output from its margin."""
    if obj in _LOGISTIC:
        return sigmoid(z)
    if obj in _EXP:
        return safe_exp(z)
    if obj == "binary:hinge":
        return Case(((Compare(">", z, lit(0.0)), lit(1.0)),), lit(0.0))
    return z


def _prediction(model: XgbModel, margins: list[Expr], ctx: Context, classes: Sequence[Any] | None) -> Prediction:
    obj = model.objective
    if classes is None:
        if obj in _MULTI:
            raise UnsupportedEstimatorError("XGBoost multi-class model used as a regressor is not supported")
        targets = tuple(Prediction("regressor", _link(obj, z)) for z in margins)
        return several(targets)
    if model.num_target > 1:
        raise UnsupportedEstimatorError("XGBoost multi-label classifiers (num_target > 1) are not supported")
    labels = [label_literal(c) for c in classes]
    if obj in _MULTI:
        if len(margins) != len(classes):
            raise UnsupportedEstimatorError(f"XGBoost model has {len(margins)} classes, the estimator {len(classes)}")
        probs = ctx.materialize(softmax(margins, ctx.materialize), "proba")
        return Prediction("classifier", wide_argmax(probs, labels, ctx), tuple(classes), proba=tuple(probs))
    if obj in _LOGISTIC and len(classes) == 2:
        p1 = ctx.materialize([sigmoid(margins[0])], "proba")[0]
        # XGBClassifier.predict: class 1 where p > 0.5
        label: Expr = Case(((Compare(">", p1, lit(0.5)), labels[1]),), labels[0])
        return Prediction("classifier", label, tuple(classes), proba=(sub(lit(1.0), p1), p1))
    raise UnsupportedEstimatorError(f"XGBoost objective {obj!r} cannot be used by a classifier")


_xgb: Any
try:  # pragma: no cover - exercised when xgboost is installed
    import xgboost as _xgb
except ImportError:  # pragma: no cover
    _xgb = None

if _xgb is not None:

    # XGBRF*: one boosting round of ``n_estimators`` parallel trees (``num_parallel_tree``); the
    # model JSON stores them as that round's trees with the learning rate already spread over
    # them, so they are summed like any booster's (``iteration_indptr`` groups them by round).
    @register(_xgb.XGBRegressor, _xgb.XGBRanker, _xgb.XGBRFRegressor)
    def assemble_xgb_regressor(est: Any, features: list[Feature], ctx: Context) -> Prediction:
        model = model_of(est.get_booster(), best_iterations(est))
        return xgb_prediction(model, features, ctx, None)

    @register(_xgb.XGBClassifier, _xgb.XGBRFClassifier)
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
