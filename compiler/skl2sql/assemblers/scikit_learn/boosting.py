"""scikit-learn boosting: GradientBoosting, HistGradientBoosting, AdaBoost.

- GradientBoosting: ``raw = init + lr*tree_1 + lr*tree_2 + ...`` added in stage order exactly as
  ``predict_stages`` does (each leaf pre-multiplied by the learning rate, as its C loop does), with
  sklearn's float32 split rule. It refuses NaN, so any NULL input gives NULL outputs.
- HistGradientBoosting: ``raw = baseline + tree_1 + ...`` with float64 ``x <= threshold`` (no
  float32 adjustment), learned NaN directions and native categorical splits (bitsets over raw
  category codes; unknown and negative codes go the missing-value way, as in ``_predictor.pyx``).
- AdaBoost (SAMME): weighted votes of the base estimators (compiled through the registry);
  AdaBoostRegressor's weighted median is a closed form (see :func:`weighted_median`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import (
    AdaBoostClassifier,
    AdaBoostRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)

from ...errors import UnsupportedEstimatorError
from ...ir import (
    And,
    Case,
    Compare,
    Expr,
    Func,
    InList,
    IsNull,
    Literal,
    Not,
    Or,
    div,
    lit,
    mul,
    safe_exp,
    sigmoid,
    softmax,
    sub,
    total,
)
from ..context import Context
from ..interface import Feature, Prediction, label_literal
from ..registry import predict as predict_sub
from ..registry import register
from ..shared.prep_common import all_present, wide_argmax
from ..shared.tree_common import at_most, route_left, tree_case
from .trees import (
    float32_guard,
    guard_prediction,
    running_sum,
    sklearn_tree_exprs,
    tree_inputs,
)

__all__ = ["hist_tree_expr", "weighted_median", "binary_from_raw", "gb_init_values"]


def binary_from_raw(p1: Expr, ctx: Context) -> tuple[Expr, Expr]:
    """``[1 - p, p]`` as sklearn's binary losses compute ``predict_proba``."""
    p1 = ctx.materialize([p1], "p1")[0]
    return sub(lit(1.0), p1), p1


# ---------------------------------------------------------------------------------------------
# GradientBoosting
# ---------------------------------------------------------------------------------------------


def gb_init_values(est: Any) -> list[float]:
    """The init raw prediction of a GradientBoosting model, one value per tree of an iteration.
    Dummy (prior/mean/quantile) init and ``'zero'`` are constants: evaluated once by sklearn
    itself on a dummy row, so the constant is bit-identical (also used by model as data)."""
    k = int(est.n_trees_per_iteration_)
    init = est.init_
    if isinstance(init, str) and init == "zero":
        return [0.0] * k
    if type(init) in (DummyClassifier, DummyRegressor):
        raw = est._raw_predict_init(np.zeros((1, int(est.n_features_in_)), dtype=np.float64))
        return [float(v) for v in np.asarray(raw, dtype=np.float64)[0]]
    raise UnsupportedEstimatorError(
        f"{type(est).__name__} with init={type(init).__name__}: only the default init "
        "(DummyClassifier/DummyRegressor) and init='zero' compile (sklearn feeds a user init "
        "estimator float32-rounded inputs, which not every dialect can reproduce)"
    )


@register(GradientBoostingClassifier, GradientBoostingRegressor)
def assemble_gradient_boosting(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    start = [lit(v) for v in gb_init_values(est)]
    xs = tree_inputs(features, ctx, nan_is_missing=False)  # refuses NaN rows: see float32_guard below
    lr = float(est.learning_rate)
    n_iter = int(est.n_estimators_)
    k = int(est.n_trees_per_iteration_)
    per_iter: list[list[Expr]] = []
    for i in range(n_iter):
        row: list[Expr] = []
        for j in range(k):
            tree = est.estimators_[i, j].tree_
            leaves = lr * np.asarray(tree.value[:, 0, 0], dtype=np.float64)
            row.append(sklearn_tree_exprs(tree, xs, leaves, nan_routing=False)[0])
        per_iter.append(row)
    raw = running_sum(per_iter, ctx, start, "raw")
    guard = float32_guard(xs, allow_null=False)  # not true for NULL (nor for a stored NaN)
    if isinstance(est, GradientBoostingRegressor):
        return guard_prediction(Prediction("regressor", raw[0]), guard, ctx)
    classes = list(est.classes_)
    labels = [label_literal(c) for c in classes]
    loss = str(est.loss)
    if k == 1:
        z = raw[0]
        p1 = sigmoid(mul(lit(2.0), z) if loss == "exponential" else z)
        p0, p1 = binary_from_raw(p1, ctx)
        # sklearn: classes_[raw >= 0]
        label: Expr = Case(((Compare(">=", z, lit(0.0)), labels[1]), (Compare("<", z, lit(0.0)), labels[0])), None)
        pred = Prediction("classifier", label, tuple(classes), proba=(p0, p1), decision=(z,))
    else:
        probs = softmax(raw, ctx.materialize)
        pred = Prediction("classifier", wide_argmax(raw, labels, ctx), tuple(classes), proba=tuple(probs), decision=tuple(raw))
    return guard_prediction(pred, guard, ctx)  # decision_function is the raw score, as sklearn's


# ---------------------------------------------------------------------------------------------
# HistGradientBoosting
# ---------------------------------------------------------------------------------------------


def _bits(words: np.ndarray) -> list[int]:
    """The members of a 256-bit sklearn bitset (8 uint32 words)."""
    out: list[int] = []
    for w, word in enumerate(np.asarray(words, dtype=np.uint64)):
        for b in range(32):
            if (int(word) >> b) & 1:
                out.append(32 * w + b)
    return out


def _category_code_in(x: Expr, codes: list[int]) -> Expr:
    """``uint8(x) in codes`` for ``x >= 0``: sklearn truncates the double to an unsigned byte."""
    values = tuple(Literal(c) for c in codes)
    return And((Compare(">=", x, lit(0.0)), InList(Func("floor", (x,)), values)))


def hist_tree_expr(
    predictor: Any, xs: Sequence[Expr], known: dict[int, list[int]]
) -> Expr:
    """One HGB ``TreePredictor`` as a nested CASE (``_predict_one_from_raw_data``).

    ``known``: feature index -> known raw category codes (for categorical features)."""
    nodes = predictor.nodes
    is_leaf = nodes["is_leaf"].astype(bool)
    left: list[int] = np.where(is_leaf, -1, nodes["left"].astype(np.int64)).astype(np.int64).tolist()
    right: list[int] = np.where(is_leaf, -1, nodes["right"].astype(np.int64)).astype(np.int64).tolist()
    values = nodes["value"].astype(np.float64).tolist()
    raw_bitsets = predictor.raw_left_cat_bitsets

    def split(n: int) -> Expr:
        node = nodes[n]
        f = int(node["feature_idx"])
        x = xs[f]
        mgl = bool(node["missing_go_to_left"])
        if bool(node["is_categorical"]):
            left_codes = _bits(raw_bitsets[int(node["bitset_idx"])])
            if not mgl:
                return _category_code_in(x, left_codes)
            # Missing, negative and unknown codes go left with NaN: only known codes that are
            # not in the left set go right.
            right_codes = [c for c in known.get(f, []) if c not in set(left_codes)]
            if not right_codes:
                return Or((IsNull(x), Not(IsNull(x))))
            return Or((IsNull(x), Not(_category_code_in(x, right_codes))))
        t = float(node["num_threshold"])
        return route_left(x, at_most(x, t), mgl)

    return tree_case(left, right, split, lambda n: lit(values[n]))


def _hgb_known_categories(est: Any) -> dict[int, list[int]]:
    """Known category codes per (preprocessed) feature index."""
    flags = getattr(est, "_is_categorical_remapped", None)
    if flags is None:
        flags = est.is_categorical_
    if flags is None or not np.any(flags):
        return {}
    known_bitsets, f_idx_map = est._bin_mapper.make_known_categories_bitsets()
    out: dict[int, list[int]] = {}
    for f in np.nonzero(flags)[0]:
        out[int(f)] = _bits(known_bitsets[int(f_idx_map[int(f)])])
    return out


def _hgb_inputs(est: Any, features: list[Feature], ctx: Context) -> list[Expr]:
    """The values the trees see. With categorical features sklearn (>= 1.4) first applies an
    internal ColumnTransformer: an OrdinalEncoder (exact matching; unknown and missing become NaN)
    on the categorical columns, placed first, then the numeric columns unchanged."""
    pre = getattr(est, "_preprocessor", None)
    if pre is None:
        return tree_inputs(features, ctx)
    flags = np.asarray(est.is_categorical_, dtype=bool)
    encoder = pre.named_transformers_["encoder"]
    cat_idx = [i for i in range(len(features)) if flags[i]]
    num_idx = [i for i in range(len(features)) if not flags[i]]
    codes: list[Expr] = []
    for i, cats in zip(cat_idx, encoder.categories_, strict=True):
        x = features[i].expr
        whens: list[tuple[Expr, Expr]] = []
        for code, c in enumerate(cats):
            if isinstance(c, float) and np.isnan(c) or c is None:
                continue
            if isinstance(c, (str, np.str_)):
                value: Expr = Literal(str(c))
                xi = x
            else:
                value = lit(float(c))
                xi = ctx.number(x, finite=False)  # HistGradientBoosting takes infinity as a value
            whens.append((Compare("=", xi, value), lit(float(code))))
        codes.append(Case(tuple(whens), None))
    coded = ctx.materialize(codes, "code")
    nums = tree_inputs([features[i] for i in num_idx], ctx)
    return coded + nums


@register(HistGradientBoostingClassifier, HistGradientBoostingRegressor)
def assemble_hist_gradient_boosting(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    xs = _hgb_inputs(est, features, ctx)
    known = _hgb_known_categories(est)
    baseline = np.asarray(est._baseline_prediction, dtype=np.float64).ravel()
    per_iter = [[hist_tree_expr(p, xs, known) for p in it] for it in est._predictors]
    raw = running_sum(per_iter, ctx, [lit(float(b)) for b in baseline], "raw")
    link = type(est._loss.link).__name__
    if isinstance(est, HistGradientBoostingRegressor):
        if link == "IdentityLink":
            return Prediction("regressor", raw[0])
        if link == "LogLink":
            return Prediction("regressor", safe_exp(raw[0]))
        raise UnsupportedEstimatorError(f"{type(est).__name__} with link {link} is not supported")
    classes = list(est.classes_)
    labels = [label_literal(c) for c in classes]
    if len(raw) == 1:
        z = raw[0]
        p0, p1 = binary_from_raw(sigmoid(z), ctx)
        # sklearn: classes_[raw > 0] (a tie at 0 is class 0, as argmax([.5, .5]))
        label: Expr = Case(((Compare(">", z, lit(0.0)), labels[1]), (Compare("<=", z, lit(0.0)), labels[0])), None)
        return Prediction("classifier", label, tuple(classes), proba=(p0, p1), decision=(z,))
    probs = softmax(raw, ctx.materialize)
    # decision_function is the raw score, as sklearn's
    return Prediction("classifier", wide_argmax(raw, labels, ctx), tuple(classes), proba=tuple(probs), decision=tuple(raw))


# ---------------------------------------------------------------------------------------------
# AdaBoost
# ---------------------------------------------------------------------------------------------


@register(AdaBoostClassifier)
def assemble_adaboost_classifier(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    algorithm = getattr(est, "algorithm", "SAMME")
    if algorithm not in ("SAMME", "deprecated"):
        raise UnsupportedEstimatorError(f"AdaBoostClassifier with algorithm={algorithm!r} is not supported")
    classes = list(est.classes_)
    k = len(classes)
    # sklearn validates AdaBoost's input (no NaN, no infinity); the bases share the columns
    # cast once, so each adds its vote and nothing else (MariaDB allows only 64 WITH elements)
    xs = tree_inputs(features, ctx, finite=True)
    shared = [Feature(x, f.name) for x, f in zip(xs, features, strict=True)]
    guard = all_present(xs)
    labels = [label_literal(c) for c in classes]
    if k == 1:
        raise UnsupportedEstimatorError("AdaBoostClassifier fitted on a single class is not supported")
    bases = list(zip(est.estimators_, est.estimator_weights_, strict=False))
    voted = ctx.materialize([predict_sub(sub_est, shared, ctx).value for sub_est, _ in bases], "vote")
    votes: list[list[Expr]] = []
    for label, (_, w) in zip(voted, bases, strict=True):
        w = np.float64(w)
        other = float(-1 / (k - 1) * w)
        votes.append([Case(((Compare("=", label, lab), lit(float(w))),), lit(other)) for lab in labels])
    sums = running_sum(votes, ctx, None, "votes")
    wsum = float(np.asarray(est.estimator_weights_).sum())
    pred = ctx.materialize([div(s, lit(wsum)) for s in sums], "dec")
    if k == 2:
        dec = ctx.materialize([total([mul(lit(-1.0), pred[0]), pred[1]])], "dec")[0]
        label_e: Expr = Case(((Compare(">", dec, lit(0.0)), labels[1]), (Compare("<=", dec, lit(0.0)), labels[0])), None)
        half = [div(mul(lit(-1.0), dec), lit(2.0)), div(dec, lit(2.0))]
        probs = softmax(half, ctx.materialize)
        decision: tuple[Expr, ...] = (dec,)
    else:
        label_e = wide_argmax(pred, labels, ctx)
        probs = softmax([div(p, lit(float(k - 1))) for p in pred], ctx.materialize)
        decision = tuple(pred)
    # decision_function as sklearn returns it (calibration and one-vs-rest read it)
    return guard_prediction(Prediction("classifier", label_e, tuple(classes), tuple(probs), decision), guard, ctx)


def weighted_median(preds: Sequence[Expr], weights: Sequence[float], ctx: Context) -> Expr:
    """sklearn's ``_get_median_predict`` without sorting.

    sklearn sorts the predictions, takes the cumulative weights and returns the first prediction
    whose cumulative weight reaches half the total. Ties do not matter for the value returned: the
    chosen prediction ``p_j`` is the one with ``sum(w_i: p_i < p_j) < half <= sum(w_i: p_i <= p_j)``
    (cumulative weights at a group of equal predictions do not depend on their order)."""
    ps = ctx.materialize(list(preds), "pred")
    half = 0.5 * float(np.sum(np.asarray(weights, dtype=np.float64)))
    whens: list[tuple[Expr, Expr]] = []
    for j, pj in enumerate(ps):
        others = [(pi, float(w)) for i, (pi, w) in enumerate(zip(ps, weights, strict=True)) if i != j]
        below = total([Case(((Compare("<", pi, pj), lit(w)),), lit(0.0)) for pi, w in others])
        upto = total([lit(float(weights[j]))] + [Case(((Compare("<=", pi, pj), lit(w)),), lit(0.0)) for pi, w in others])
        whens.append((And((Compare("<", below, lit(half)), Compare(">=", upto, lit(half)))), pj))
    return Case(tuple(whens), None)


@register(AdaBoostRegressor)
def assemble_adaboost_regressor(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    xs = tree_inputs(features, ctx, finite=True)  # as the classifier: validated, shared by the bases
    shared = [Feature(x, f.name) for x, f in zip(xs, features, strict=True)]
    n = len(est.estimators_)
    preds = [predict_sub(e, shared, ctx).value for e in est.estimators_]
    weights = [float(w) for w in np.asarray(est.estimator_weights_, dtype=np.float64)[:n]]
    value = weighted_median(preds, weights, ctx)
    return guard_prediction(Prediction("regressor", value), all_present(xs), ctx)

