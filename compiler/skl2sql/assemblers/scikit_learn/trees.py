"""scikit-learn decision trees and forests, plus the tree helpers the other sklearn ensembles use.

Exactness (see docs/trees.md):

- sklearn casts X to float32 and compares ``float32(x) <= threshold``; each threshold is replaced at
  compile time by the double boundary with the same outcome (:func:`float32_le_threshold`), so the
  SQL compares doubles and pays nothing.
- NaN goes where ``tree_.missing_go_to_left`` says (sklearn >= 1.3 sets it for every split: the
  learned direction when training saw NaN, else the child with more samples). A NULL fails every
  ``<=`` in SQL and would silently go right, so "left" is written ``x <= t OR x IS NULL``.
- Leaf probabilities are what the installed ``DecisionTreeClassifier.predict_proba`` returns:
  ``value / value.sum()`` up to scikit-learn 1.8, the stored fractions from 1.9 on (asked of the
  library by :func:`predict_proba_normalizes`, not assumed), and ensembles sum
  per-tree values *in tree order*, left to right, as sklearn's accumulation loops do. That keeps
  the sums bit-identical, so ``argmax`` ties (common with vote fractions) break as in NumPy.

Layout: one nested CASE per tree; trees are added to a running sum in batches of
:data:`TREES_PER_STAGE`, each batch a pinned stage (a CTE), so a 1,000-tree model is a chain of
moderate sub-selects rather than one giant expression, and no sum nests deeper than one batch.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
    RandomTreesEmbedding,
)
from sklearn.tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    ExtraTreeClassifier,
    ExtraTreeRegressor,
)

from ...errors import Skl2SqlError, UnsupportedEstimatorError
from ...ir import And, Case, Compare, Expr, IsNull, Lookup, Or, div, lit, total
from ..context import Context
from ..interface import Feature, Prediction, label_literal, several
from ..registry import register
from ..shared.prep_common import wide_argmax
from ..shared.tree_common import TREES_PER_STAGE, at_most, float32_le_threshold, pin_casts, route_left, tree_case

__all__ = [
    "check_single_output",
    "classifier_leaf_proba",
    "sklearn_tree_exprs",
    "tree_splits",
    "running_sum",
    "LeafValues",
    "sklearn_tree_leaves",
    "tree_inputs",
    "float32_guard",
    "guard_prediction",
    "FLOAT32_OVERFLOW",
]



def check_single_output(est: Any, tree: Any) -> None:
    """For models whose multi-output trees are not compiled (boosting, bagging, isolation...)."""
    if int(tree.n_outputs) != 1:
        raise UnsupportedEstimatorError(
            f"{type(est).__name__} with multiple outputs (n_outputs={tree.n_outputs}) is not supported"
        )


#: ``float32(x)`` is infinite from here on (max float32 plus half an ulp; the tie rounds to inf):
#: sklearn refuses such rows ("Input contains infinity or a value too large for dtype('float32')").
FLOAT32_OVERFLOW = float(np.finfo(np.float32).max) + 2.0**103


def float32_guard(xs: Sequence[Expr], allow_null: bool) -> Expr:
    """True for rows sklearn's float32 input validation accepts: every value within float32 range,
    and (unless ``allow_null``) not NULL. Unknown (so: NULL outputs) otherwise."""
    conds: list[Expr] = []
    for x in xs:
        inside: Expr = And((Compare(">", x, lit(-FLOAT32_OVERFLOW)), Compare("<", x, lit(FLOAT32_OVERFLOW))))
        conds.append(Or((IsNull(x), inside)) if allow_null else inside)
    return And(tuple(conds)) if len(conds) > 1 else conds[0]


def guard_prediction(p: Prediction, cond: Expr, ctx: Context) -> Prediction:
    """Every output of ``p`` (of every target) as ``CASE WHEN cond THEN value END`` (NULL where
    cond is not true), ``cond`` computed once (``Context.guard``): the float32 range guard is three
    comparisons per feature; repeated in each of a binary classifier's three outputs it was 360
    comparisons per row for 20 features, about a tenth of a 100-tree model's time on DuckDB."""
    return p.with_parts(ctx.refuse_unless(cond, p.parts()))


def tree_inputs(
    features: Sequence[Feature], ctx: Context, nan_is_missing: bool = True, finite: bool = False
) -> list[Expr]:
    """The feature expressions as doubles, cast once (see :func:`pin_casts`).

    ``nan_is_missing=False`` for models that refuse missing values (``float32_guard`` with
    ``allow_null=False``): that guard is already false for a stored NaN on every engine (NaN sorts
    above every number in DuckDB, PostgreSQL, Snowflake and Spark, and compares false under IEEE
    rules elsewhere), so the row is NULL without a NaN test per feature. ``finite`` (see
    ``Context.number``) is off: scikit-learn trees refuse infinity through ``float32_guard``, and
    HistGradientBoosting and IsolationForest take it as a value."""
    return pin_casts([ctx.number(f.expr, nan_is_missing, finite) for f in features], ctx)


@functools.cache
def predict_proba_normalizes() -> bool:
    """Whether this scikit-learn's ``DecisionTreeClassifier.predict_proba`` divides each leaf's
    ``value`` by its sum (versions up to 1.8 do; 1.9 returns the stored fractions as they are).

    The two differ by an ulp where the fractions do not sum to exactly 1.0, which is enough to
    break an ``argmax`` tie the other way, so the installed version is asked, not assumed: a
    one-leaf tree with class weights 1, 4 and 1 stores fractions summing to 0.9999999999999999."""
    tree = DecisionTreeClassifier().fit(np.zeros((3, 1)), [0, 1, 2], sample_weight=[1.0, 4.0, 1.0])
    value = np.array(tree.tree_.value[0, 0, :], dtype=np.float64)
    got = tree.predict_proba(np.zeros((1, 1)))[0]
    return not np.array_equal(got, value)


def classifier_leaf_proba(tree: Any, n_classes: int, output: int = 0) -> np.ndarray:
    """Per-node class probabilities of ``output``, computed with the same NumPy operations as the
    installed ``DecisionTreeClassifier.predict_proba`` (so each leaf value is bit-identical)."""
    proba = np.array(tree.value[:, output, :n_classes], dtype=np.float64)
    if not predict_proba_normalizes():
        return proba
    normalizer = proba.sum(axis=1)[:, np.newaxis]
    normalizer[normalizer == 0.0] = 1.0
    proba /= normalizer
    return proba


def tree_splits(tree: Any, xs: Sequence[Expr], *, nan_routing: bool = True) -> Callable[[int], Expr]:
    """The split condition of each node (built once per node, shared by every CASE of the tree).

    Splits compare ``x <= d`` with ``d`` the float64 boundary of sklearn's float32 comparison.
    ``nan_routing``: send NULL where ``missing_go_to_left`` says; without it NULL goes right
    (for models that refuse NaN, whose callers make the whole output NULL anyway)."""
    feature = tree.feature
    threshold = tree.threshold
    mgl = getattr(tree, "missing_go_to_left", None)
    conds: dict[int, Expr] = {}

    def split(n: int) -> Expr:
        got = conds.get(n)
        if got is None:
            x = xs[int(feature[n])]
            d = float32_le_threshold(float(threshold[n]))
            got = route_left(x, at_most(x, d), bool(nan_routing and mgl is not None and mgl[n]))
            conds[n] = got
        return got

    return split


def sklearn_tree_exprs(
    tree: Any,
    xs: Sequence[Expr],
    values: np.ndarray,
    *,
    nan_routing: bool = True,
    split: Callable[[int], Expr] | None = None,
) -> list[Expr]:
    """One nested CASE per column of ``values`` (shape ``(n_nodes, k)`` or ``(n_nodes,)``) for a
    fitted ``tree_``; leaf values are written with full double precision."""
    split = split or tree_splits(tree, xs, nan_routing=nan_routing)
    vals = np.asarray(values, dtype=np.float64)
    if vals.ndim == 1:
        vals = vals[:, None]
    cols = [vals[:, j].tolist() for j in range(vals.shape[1])]
    return [
        tree_case(tree.children_left, tree.children_right, split, lambda n, c=c: lit(c[n]))  # type: ignore[misc]
        for c in cols
    ]


@dataclass(frozen=True)
class LeafValues:
    """A tree read once for several outputs: ``leaf`` gives the leaf's number (1..L, left to
    right), ``values[j]`` the value of output ``j`` at each leaf, ``fallbacks[j]`` the same output
    as a CASE with the values at its leaves (for dialects without array lookups)."""

    leaf: Expr
    values: tuple[tuple[float, ...], ...]
    fallbacks: tuple[Expr, ...]

    def lookups(self, leaf_column: Expr) -> list[Expr]:
        return [Lookup(leaf_column, v, f) for v, f in zip(self.values, self.fallbacks, strict=True)]


def sklearn_tree_leaves(
    tree: Any, xs: Sequence[Expr], values: np.ndarray, split: Callable[[int], Expr] | None = None
) -> LeafValues:
    """The tree as a leaf number plus one value table per column of ``values`` (shape
    ``(n_nodes, k)``); see :class:`LeafValues`."""
    split = split or tree_splits(tree, xs)
    vals = np.asarray(values, dtype=np.float64)
    leaves = [n for n in range(int(tree.node_count)) if tree.children_left[n] < 0]
    number = {n: i + 1 for i, n in enumerate(leaves)}
    leaf = tree_case(tree.children_left, tree.children_right, split, lambda n: lit(number[n]))
    tables = tuple(tuple(float(vals[n, j]) for n in leaves) for j in range(vals.shape[1]))
    return LeafValues(leaf, tables, tuple(sklearn_tree_exprs(tree, xs, vals, split=split)))


def running_sum(
    per_tree: Sequence[Sequence[Expr] | LeafValues],
    ctx: Context,
    start: Sequence[Expr] | None = None,
    hint: str = "acc",
) -> list[Expr]:
    """``start + t_1 + t_2 + ...`` per output column, added left to right in tree order (as
    sklearn's accumulation loops do), in pinned stages of :data:`TREES_PER_STAGE` trees.

    A :class:`LeafValues` tree is read once per batch: its leaf numbers are a pinned stage before
    the batch's sum, whose terms look the values up (dialects without arrays drop that stage and
    write the per-output CASEs, as for plain expressions)."""
    if not per_tree:
        if start is None:
            raise Skl2SqlError("internal: running_sum of nothing")
        return list(start)
    first = per_tree[0]
    k = len(first.values) if isinstance(first, LeafValues) else len(first)
    acc: list[Expr] | None = list(start) if start is not None else None
    for lo in range(0, len(per_tree), TREES_PER_STAGE):
        batch = per_tree[lo : lo + TREES_PER_STAGE]
        read = [t for t in batch if isinstance(t, LeafValues)]
        leaf_cols = iter(ctx.materialize([t.leaf for t in read], "leaf", pin=True) if read else [])
        terms_of = [t.lookups(next(leaf_cols)) if isinstance(t, LeafValues) else list(t) for t in batch]
        sums = []
        for j in range(k):
            terms = [t[j] for t in terms_of]
            sums.append(total([acc[j], *terms]) if acc is not None else total(terms))
        acc = ctx.materialize(sums, hint, pin=True)
    assert acc is not None
    return acc


@register(DecisionTreeRegressor, ExtraTreeRegressor)
def assemble_tree_regressor(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """``predict``: the leaf's value of each output (``value[:, k, 0]``)."""
    tree = est.tree_
    xs = tree_inputs(features, ctx)
    if int(tree.n_outputs) == 1:
        values = sklearn_tree_exprs(tree, xs, tree.value[:, 0, 0])
    else:
        read = sklearn_tree_leaves(tree, xs, tree.value[:, :, 0])
        values = read.lookups(ctx.materialize([read.leaf], "leaf", pin=True)[0])
    pred = several([Prediction("regressor", v) for v in values])
    return guard_prediction(pred, float32_guard(xs, allow_null=True), ctx)


def _output_classes(est: Any) -> list[list[Any]]:
    """The classes of each output (``classes_`` is a list of arrays for several outputs)."""
    return [list(c) for c in est.classes_] if int(est.n_outputs_) > 1 else [list(est.classes_)]


@register(DecisionTreeClassifier, ExtraTreeClassifier)
def assemble_tree_classifier(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    tree = est.tree_
    xs = tree_inputs(features, ctx)
    split = tree_splits(tree, xs)
    targets = []
    for k, classes in enumerate(_output_classes(est)):
        proba = classifier_leaf_proba(tree, len(classes), k)
        read = sklearn_tree_leaves(tree, xs, proba, split=split)
        probs = read.lookups(ctx.materialize([read.leaf], "leaf", pin=True)[0])
        # The label is a per-leaf constant (argmax of that leaf's probabilities, first wins): one
        # more CASE with label leaves is cheaper than comparing k probability columns per row.
        labels = [label_literal(classes[int(i)]) for i in np.argmax(proba, axis=1)]
        label = tree_case(tree.children_left, tree.children_right, split, lambda n, labels=labels: labels[n])  # type: ignore[misc]
        targets.append(Prediction("classifier", label, tuple(classes), proba=tuple(probs)))
    return guard_prediction(several(targets), float32_guard(xs, allow_null=True), ctx)


def forest_proba(
    est: Any, estimators: Sequence[Any], xs_for: Any, ctx: Context, n_classes: int, output: int | None = None
) -> list[Expr]:
    """Mean of per-tree ``predict_proba`` over ``estimators`` (classifier trees), sklearn's order:
    sum tree by tree, then divide by the number of trees. ``output``: which output of
    multi-output trees (None: single-output trees only)."""
    per_tree: list[Sequence[Expr] | LeafValues] = []
    for i, t in enumerate(estimators):
        if output is None:
            check_single_output(est, t.tree_)
        leaf_proba = classifier_leaf_proba(t.tree_, n_classes, output or 0)
        per_tree.append(sklearn_tree_leaves(t.tree_, xs_for(i), leaf_proba))
    sums = running_sum(per_tree, ctx)
    n = float(len(estimators))
    return [div(s, lit(n)) for s in sums]


@register(RandomForestClassifier, ExtraTreesClassifier)
def assemble_forest_classifier(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """``predict_proba`` per output: the mean of the trees'; ``predict``: its first argmax."""
    xs = tree_inputs(features, ctx)
    multi = int(est.n_outputs_) > 1
    targets = []
    for k, classes in enumerate(_output_classes(est)):
        probs = forest_proba(est, est.estimators_, lambda _i: xs, ctx, len(classes), k if multi else None)
        probs = ctx.materialize(probs, "proba")
        label = wide_argmax(probs, [label_literal(c) for c in classes], ctx)
        targets.append(Prediction("classifier", label, tuple(classes), proba=tuple(probs)))
    return guard_prediction(several(targets), float32_guard(xs, allow_null=True), ctx)


@register(RandomForestRegressor, ExtraTreesRegressor)
def assemble_forest_regressor(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """``predict``: the trees' values summed tree by tree, then divided by their number (one
    leaf lookup per output for multi-output trees)."""
    xs = tree_inputs(features, ctx)
    n_outputs = int(est.n_outputs_)
    per_tree: list[Sequence[Expr] | LeafValues] = []
    for t in est.estimators_:
        if n_outputs == 1:
            per_tree.append(sklearn_tree_exprs(t.tree_, xs, t.tree_.value[:, 0, 0]))
        else:
            per_tree.append(sklearn_tree_leaves(t.tree_, xs, t.tree_.value[:, :, 0]))
    n = lit(float(len(est.estimators_)))
    pred = several([Prediction("regressor", div(s, n)) for s in running_sum(per_tree, ctx)])
    return guard_prediction(pred, float32_guard(xs, allow_null=True), ctx)


@register(RandomTreesEmbedding)
def assemble_random_trees_embedding(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    """``one_hot_encoder_.transform(apply(X))``: per tree the leaf a row reaches (its node id,
    routed as the forests route), then one 1.0/0.0 column per leaf in the encoder's category order,
    named as ``get_feature_names_out``. Every leaf was reached by a training row, so the encoder
    knows them all."""
    xs = tree_inputs(features, ctx)
    leaf_ids = []
    for t in est.estimators_:
        tree = t.tree_
        leaf_ids.append(tree_case(tree.children_left, tree.children_right, tree_splits(tree, xs), lambda n: lit(int(n))))
    leaves = ctx.materialize(leaf_ids, "leaf", pin=True)
    values: list[Expr] = []
    for leaf, cats in zip(leaves, est.one_hot_encoder_.categories_, strict=True):
        values += [Case(((Compare("=", leaf, lit(int(c))), lit(1.0)),), lit(0.0)) for c in cats]
    # NULL is routed as the trees learnt (the forest takes NaN); a value beyond float32's range,
    # which sklearn refuses, makes every column NULL
    guarded = ctx.refuse_unless(float32_guard(xs, allow_null=True), values)
    names = [str(n) for n in est.get_feature_names_out()]
    return [Feature(v, n) for v, n in zip(guarded, names, strict=True)]
