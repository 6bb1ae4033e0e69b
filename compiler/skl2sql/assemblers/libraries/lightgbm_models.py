"""LightGBM boosters and estimators (registered only when lightgbm is installed).

The model is read from LightGBM's own text format (``booster.model_to_string()``): flat arrays per
tree, every threshold and leaf value written with 17 significant digits, so the doubles LightGBM
predicts with are recovered exactly (``dump_model()`` JSON carries the same numbers but nests one
dict per node, which Python's JSON reader cannot do past ~1,000 levels).

Prediction semantics reproduced here (LightGBM ``tree.h`` and ``c_api.cpp``):

- Inputs are doubles. A dense row keeps a value only when ``|x| > kZeroThreshold`` (1e-35 as a
  float, i.e. 1.0000000180025095e-35) or it is NaN; everything else becomes exactly 0.0 before any
  tree sees it.
- Numerical split ``x <= threshold`` (double). NaN becomes 0.0 unless the node's missing type is
  NaN. Missing type *Zero* sends 0.0 (and so NaN) the default direction; missing type *NaN* sends
  NaN the default direction. These rules are folded into the comparison at compile time
  (:func:`numerical_left`), so the common case is one comparison plus ``OR x IS NULL``.
- Categorical split: ``int(x)`` (truncation toward zero) in the node's bitset goes left; NaN and
  negative values go right. Written as ranges over the double, ``k <= x < k+1``, so no cast is
  needed and fractional inputs land where LightGBM puts them. Columns that were pandas
  ``category`` dtype at fit time take the *category values* in SQL (LightGBM maps them to codes
  through ``pandas_categorical``): the split becomes ``x IN ('red', 'blue')``; unseen values and
  NULL go right, as in LightGBM.
- The raw score of each class is the sum of its trees' leaf values in double (shrinkage is
  already folded into leaf values); ``average_output`` (random forest mode) divides by the number
  of iterations. The objective's link is applied last.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...errors import UnsupportedEstimatorError
from ...ir import (
    And,
    Case,
    Compare,
    Expr,
    Func,
    InList,
    IsNull,
    Or,
    div,
    lit,
    mul,
    sigmoid,
    softmax,
    sub,
    total,
)
from ..context import Context
from ..interface import Feature, Prediction, label_literal
from ..model_files.lightgbm_text import LgbModel, LgbTree, model_of
from ..registry import register
from ..shared.prep_common import wide_argmax
from ..shared.tree_common import at_most, flat_tree_expr, pin_casts, route_left, sum_trees, tree_case

__all__ = [
    "K_ZERO_THRESHOLD",
    "IDENTITY_OBJECTIVES",
    "EXP_OBJECTIVES",
    "numerical_left",
    "categorical_ranges",
    "flat_tree_expr",
    "booster_prediction",
]

#: LightGBM's ``kZeroThreshold`` (``1e-35f``: a float literal stored in a double).
K_ZERO_THRESHOLD = float(np.float32(1e-35))

_IDENTITY_OBJECTIVES = frozenset(
    {"regression", "regression_l1", "huber", "fair", "quantile", "mape", "lambdarank", "rank_xendcg"}
)
_EXP_OBJECTIVES = frozenset({"poisson", "gamma", "tweedie"})
#: The objective families, by how the raw score becomes the prediction (also read by model as data).
IDENTITY_OBJECTIVES, EXP_OBJECTIVES = _IDENTITY_OBJECTIVES, _EXP_OBJECTIVES


def numerical_left(x: Expr, threshold: float, decision_type: int) -> Expr:
    """The SQL condition for "goes left" at a numerical node, NULL being LightGBM's NaN.

    Non-NULL ``x`` with ``|x| <= kZeroThreshold`` is 0.0 to LightGBM; it goes the default way
    under missing type Zero, else left iff ``0 <= threshold``. Each case is folded into plain
    comparisons (usually one)."""
    t = threshold
    kz = K_ZERO_THRESHOLD
    default_left = bool(decision_type & 2)
    missing_type = (decision_type >> 2) & 3
    zero_left = default_left if missing_type == 1 else 0.0 <= t  # where tiny values go
    null_left = (0.0 <= t) if missing_type == 0 else default_left  # where NULL goes
    le_t = at_most(x, t)  # t = inf (LightGBM's "every number left") is written finitely
    tiny = And((Compare(">=", x, lit(-kz)), Compare("<=", x, lit(kz))))
    cond: Expr
    if t >= kz:
        cond = le_t if zero_left else Or((Compare("<", x, lit(-kz)), And((Compare(">", x, lit(kz)), le_t))))
    elif t < -kz:
        cond = Or((le_t, tiny)) if zero_left else le_t
    else:
        cond = Compare("<=", x, lit(kz)) if zero_left else Compare("<", x, lit(-kz))
    return route_left(x, cond, null_left)


def categorical_ranges(categories: Sequence[int]) -> list[tuple[int, int]]:
    """Maximal runs ``[a, b]`` of consecutive non-negative categories."""
    runs: list[tuple[int, int]] = []
    for c in sorted(set(int(c) for c in categories if c >= 0)):
        if runs and c == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], c)
        else:
            runs.append((c, c))
    return runs


def _code_in(x: Expr, categories: Sequence[int]) -> Expr:
    """``int(x) in categories`` for a double ``x`` (truncation toward zero): ``a <= x < b+1``,
    with ``-1 < x`` for a run starting at 0. NULL is unknown, so it goes right."""
    parts: list[Expr] = []
    for a, b in categorical_ranges(categories):
        low = Compare(">", x, lit(-1.0)) if a == 0 else Compare(">=", x, lit(float(a)))
        parts.append(And((low, Compare("<", x, lit(float(b + 1))))))
    if not parts:
        return Compare("=", lit(1), lit(0))
    return parts[0] if len(parts) == 1 else Or(tuple(parts))


def _bitset_members(words: Sequence[int]) -> list[int]:
    return [32 * i + j for i, w in enumerate(words) for j in range(32) if (w >> j) & 1]


@dataclass(frozen=True)
class _Inputs:
    """How each feature enters the trees: a double, or a category value mapped by
    ``pandas_categorical``."""

    numeric: list[Expr]
    raw: list[Expr]
    pandas_categories: dict[int, list[Any]]
    #: Features read by linear leaves, as LightGBM's dense predictor passes them: values within
    #: ``kZeroThreshold`` of zero are exactly 0.0, NULL stays NULL (NaN).
    linear: dict[int, Expr] = field(default_factory=dict)


def _linear_leaf(tree: LgbTree, leaf: int, inputs: _Inputs) -> Expr:
    """A ``linear_tree`` leaf as LightGBM's ``Tree::Predict`` computes it: ``const + c_1*x_1 +
    c_2*x_2 + ...`` added left to right in double; if any of the leaf's features is NaN (NULL),
    the leaf's plain ``leaf_value`` instead."""
    const, terms = tree.leaf_linear[leaf]
    if not terms:
        return lit(const)
    xs = [inputs.linear[f] for f, _ in terms]
    value = total([lit(const), *(mul(lit(c), x) for (_, c), x in zip(terms, xs, strict=True))])
    missing = [IsNull(x) for x in dict.fromkeys(xs)]
    return Case(((missing[0] if len(missing) == 1 else Or(tuple(missing)), lit(tree.leaf_value[leaf])),), value)


def _tree_expr(tree: LgbTree, inputs: _Inputs) -> Expr:
    if not tree.left:
        return _linear_leaf(tree, 0, inputs) if tree.leaf_linear else lit(tree.leaf_value[0])
    n_internal = len(tree.left)

    def child(c: int) -> int:
        return c if c >= 0 else n_internal + ~c

    left = [child(c) for c in tree.left] + [-1] * len(tree.leaf_value)
    right = [child(c) for c in tree.right] + [-1] * len(tree.leaf_value)

    def split(n: int) -> Expr:
        f = tree.split_feature[n]
        dt = tree.decision_type[n]
        if dt & 1:
            idx = int(tree.threshold[n])
            words = tree.cat_threshold[tree.cat_boundaries[idx] : tree.cat_boundaries[idx + 1]]
            members = _bitset_members(words)
            cats = inputs.pandas_categories.get(f)
            if cats is not None:
                values = tuple(lit(cats[k]) for k in members if k < len(cats))
                if not values:
                    return Compare("=", lit(1), lit(0))
                return InList(inputs.raw[f], values)
            return _code_in(inputs.numeric[f], members)
        if f in inputs.pandas_categories:
            raise UnsupportedEstimatorError(
                "LightGBM numerical split on a pandas categorical column (ordered categorical) is not supported"
            )
        return numerical_left(inputs.numeric[f], tree.threshold[n], dt)

    def leaf(n: int) -> Expr:
        if tree.leaf_linear:
            return _linear_leaf(tree, n - n_internal, inputs)
        return lit(tree.leaf_value[n - n_internal])

    return tree_case(left, right, split, leaf)


def _pandas_categories(model: LgbModel, names: Sequence[str]) -> dict[int, list[Any]]:
    """Feature index -> categories, for features that were pandas ``category`` columns."""
    cats = model.pandas_categorical
    if not cats:
        return {}
    raw = model.parameters.get("categorical_feature", "")
    cat_features = [int(v) for v in re.split(r"[,\s]+", raw) if v.strip().lstrip("-").isdigit()]
    if len(cat_features) != len(cats):
        raise UnsupportedEstimatorError(
            "LightGBM model fitted on pandas categorical columns that are not all categorical "
            f"features (categorical_feature={raw!r}, {len(cats)} pandas categorical columns): "
            "ordered categoricals or a mix with categorical_feature= are not supported"
        )
    return {f: list(c) for f, c in zip(cat_features, cats, strict=True)}


def _check_supported(model: LgbModel) -> None:
    # boosting='dart' needs nothing of its own: LightGBM rescales the dropped trees' leaves in place
    # while training (DART::Normalize), so the saved trees are summed as for gbdt
    if model.objective == "custom" or model.objective not in (
        _IDENTITY_OBJECTIVES | _EXP_OBJECTIVES | {"binary", "multiclass", "multiclassova", "cross_entropy"}
    ):
        raise UnsupportedEstimatorError(f"LightGBM objective {model.objective!r} is not supported")


def _linear_inputs(model: LgbModel, numeric: Sequence[Expr], pandas_cats: dict[int, list[Any]], ctx: Context) -> dict[int, Expr]:
    """The features linear leaves read, each computed once: LightGBM's dense predictor keeps a
    value only when ``|x| > kZeroThreshold`` (else 0.0), and the leaves multiply that value."""
    used = sorted({f for t in model.trees for _, terms in t.leaf_linear for f, _ in terms})
    if not used:
        return {}
    bad = [f for f in used if f in pandas_cats or f >= len(numeric)]
    if bad:
        raise UnsupportedEstimatorError(f"LightGBM linear tree reads feature {bad[0]}, which is not a numeric input")
    kz = K_ZERO_THRESHOLD
    zeroed = [
        Case(((And((Compare(">=", numeric[f], lit(-kz)), Compare("<=", numeric[f], lit(kz)))), lit(0.0)),), numeric[f])
        for f in used
    ]
    return dict(zip(used, ctx.materialize(zeroed, "lin", pin=True), strict=True))


def raw_scores(model: LgbModel, features: Sequence[Feature], ctx: Context) -> list[Expr]:
    """One raw score per class (``num_tree_per_iteration`` of them)."""
    _check_supported(model)
    names = [f.name for f in features]
    if model.feature_names and len(model.feature_names) != len(features):
        raise UnsupportedEstimatorError(
            f"LightGBM model has {len(model.feature_names)} features, got {len(features)} input columns"
        )
    pandas_cats = _pandas_categories(model, names)
    # LightGBM takes infinity as a value: finite=False
    numeric = pin_casts(
        [f.expr if i in pandas_cats else ctx.number(f.expr, finite=False) for i, f in enumerate(features)], ctx
    )
    inputs = _Inputs(
        numeric=numeric,
        raw=[f.expr for f in features],
        pandas_categories=pandas_cats,
        linear=_linear_inputs(model, numeric, pandas_cats, ctx),
    )
    k = model.num_tree_per_iteration
    n_iter = len(model.trees) // k
    scores: list[Expr] = []
    for cls in range(k):
        exprs = [_tree_expr(model.trees[i * k + cls], inputs) for i in range(n_iter)]
        s = sum_trees(exprs, ctx, f"raw{cls}")
        if model.average_output and n_iter > 0:
            s = div(s, lit(float(n_iter)))
        scores.append(s)
    return scores


def _transform(model: LgbModel, score: Expr) -> Expr:
    obj = model.objective
    if obj in _IDENTITY_OBJECTIVES:
        if "sqrt" in model.objective_params:  # reg_sqrt: sign(x) * x * x
            return mul(score, Func("abs", (score,)))
        return score
    if obj in _EXP_OBJECTIVES:
        return Func("exp", (score,))
    if obj in ("binary", "multiclassova"):
        return sigmoid(mul(lit(float(model.objective_params.get("sigmoid", "1"))), score))
    if obj == "cross_entropy":
        return sigmoid(score)
    raise UnsupportedEstimatorError(f"LightGBM objective {obj!r} has no single-output transform")


def booster_prediction(model: LgbModel, features: Sequence[Feature], ctx: Context, classes: Sequence[Any] | None) -> Prediction:
    """The Prediction of a LightGBM model. ``classes``: class labels for classifiers (LGBMClassifier's
    ``classes_``, or ``0..k-1`` for a raw classification booster); None for regressors."""
    scores = raw_scores(model, features, ctx)
    if model.objective in _IDENTITY_OBJECTIVES and "sqrt" in model.objective_params or model.objective == "multiclassova":
        scores = ctx.materialize(scores, "raw")
    if classes is None:
        if len(scores) != 1:
            raise UnsupportedEstimatorError("LightGBM multi-class model used as a regressor is not supported")
        return Prediction("regressor", _transform(model, scores[0]))
    labels = [label_literal(c) for c in classes]
    if model.objective == "binary":
        if len(classes) != 2 or len(scores) != 1:
            raise UnsupportedEstimatorError("LightGBM binary model with other than 2 classes")
        z = ctx.materialize(scores, "raw")[0]
        p1 = ctx.materialize([_transform(model, z)], "proba")[0]
        p0 = ctx.materialize([sub(lit(1.0), p1)], "proba")[0]
        # LGBMClassifier.predict: argmax over (1 - p, p), the first class winning a tie
        label: Expr = Case(((Compare(">", p1, p0), labels[1]),), labels[0])
        # decision_function (LightGBM 4.7+) is the raw score, as predict(raw_score=True)
        return Prediction("classifier", label, tuple(classes), proba=(p0, p1), decision=(z,))
    scores = ctx.materialize(scores, "raw")
    if model.objective == "multiclass":
        probs = ctx.materialize(softmax(scores, ctx.materialize), "proba")
    elif model.objective == "multiclassova":
        probs = ctx.materialize([_transform(model, s) for s in scores], "proba")
    else:
        raise UnsupportedEstimatorError(f"LightGBM objective {model.objective!r} cannot be used by a classifier")
    if len(probs) != len(classes):
        raise UnsupportedEstimatorError(f"LightGBM model has {len(probs)} classes, the estimator {len(classes)}")
    return Prediction("classifier", wide_argmax(probs, labels, ctx), tuple(classes), proba=tuple(probs), decision=tuple(scores))


def _is_classification(model: LgbModel) -> bool:
    return model.objective in ("binary", "multiclass", "multiclassova")


_lgb: Any
try:  # pragma: no cover - exercised when lightgbm is installed
    import lightgbm as _lgb
except ImportError:  # pragma: no cover
    _lgb = None

if _lgb is not None:

    @register(_lgb.LGBMRegressor, _lgb.LGBMRanker)
    def assemble_lgbm_regressor(est: Any, features: list[Feature], ctx: Context) -> Prediction:
        if callable(getattr(est, "objective", None)):
            raise UnsupportedEstimatorError("LightGBM with a custom (callable) objective is not supported")
        model = model_of(est.booster_)
        return booster_prediction(model, features, ctx, None)

    @register(_lgb.LGBMClassifier)
    def assemble_lgbm_classifier(est: Any, features: list[Feature], ctx: Context) -> Prediction:
        if callable(getattr(est, "objective", None)):
            raise UnsupportedEstimatorError("LightGBM with a custom (callable) objective is not supported")
        model = model_of(est.booster_)
        return booster_prediction(model, features, ctx, list(est.classes_))

    @register(_lgb.Booster)
    def assemble_lgbm_booster(est: Any, features: list[Feature], ctx: Context) -> Prediction:
        """A raw booster: classification objectives give labels ``0..k-1`` and one probability per
        class (as LGBMClassifier would); others give ``prediction`` = ``booster.predict``."""
        model = model_of(est)
        if _is_classification(model):
            k = 2 if model.objective == "binary" else model.num_class
            return booster_prediction(model, features, ctx, list(range(k)))
        return booster_prediction(model, features, ctx, None)
