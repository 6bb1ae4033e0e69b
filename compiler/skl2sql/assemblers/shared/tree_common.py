"""Shared pieces for every tree model (scikit-learn, LightGBM, XGBoost).

- :func:`tree_to_expr` turns a binary tree (arrays of children) into one nested ``CASE``;
  :func:`tree_case` picks it, or the flat :func:`flat_tree_expr` for trees whose nested form
  would go deeper than engines parse (:data:`MAX_CASE_NESTING`).
- :func:`at_most` writes ``x <= t`` for any threshold, ``t = ±inf`` included (LightGBM and
  scikit-learn trees fitted on data with NaN split at ``+inf``: "is a number"), without a
  non-finite literal, which no engine parses alike.
- :func:`route_left` writes a split condition with explicit NULL routing: SQL's ``NULL <= t`` is
  unknown and would silently take the ELSE branch, so a learned "missing goes left" becomes
  ``x <= t OR x IS NULL``.
- :func:`pin_casts` casts each input once, in a pinned stage, not in every comparison.
- :func:`float32_le_threshold` makes ``float32(x) <= t`` exact in double precision at compile
  time, so the SQL compares doubles and pays nothing for sklearn's float32 semantics.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from ...errors import ModelLoadError
from ...ir import DOUBLE_MAX, And, Case, Cast, Column, Compare, Expr, IsNull, Literal, Not, Or, lit, total
from ...program import Stage
from ..context import Context

#: Trees added to a running sum per pinned stage (a CTE), for every tree ensemble: a 1,000-tree
#: model is a chain of moderate sub-selects, not one giant expression. With the accumulator that
#: is 26 terms of one left-deep chain of additions, in the library's order. Tuned with
#: benchmarks/trees_layout.py (see docs/trees.md).
TREES_PER_STAGE = 25

__all__ = [
    "TREES_PER_STAGE",
    "sum_trees",
    "tree_to_expr",
    "tree_case",
    "flat_tree_expr",
    "case_nesting",
    "MAX_CASE_NESTING",
    "route_left",
    "at_most",
    "float32_le_threshold",
    "float32_lt_threshold",
    "pin_casts",
]

_F32_MAX = float(np.finfo(np.float32).max)


def at_most(x: Expr, t: float) -> Expr:
    """``x <= t`` for a non-NULL ``x`` (unknown for NULL, like every comparison), written with
    finite literals only: ``t = +inf`` is "x is a number" (every value, +inf included),
    ``t = -inf`` is "x is -inf" (``x < -DOUBLE_MAX``)."""
    if math.isnan(t):
        raise ModelLoadError("a split threshold is NaN: the model is damaged")
    if t == math.inf:
        return Not(IsNull(x))
    if t == -math.inf:
        return Compare("<", x, lit(-DOUBLE_MAX))
    return Compare("<=", x, lit(t))


def route_left(x: Expr, condition: Expr, missing_left: bool) -> Expr:
    """The condition for going left, with NULL going left iff ``missing_left``.

    ``condition`` must be unknown for NULL ``x`` (any comparison is), so without the OR a NULL
    goes right."""
    if missing_left:
        return Or((condition, IsNull(x)))
    return condition


def _is_leaf(left: Sequence[int], n: int) -> bool:
    """``left[n] == -1`` (scikit-learn, XGBoost) or ``left[n] == n`` marks a leaf."""
    return left[n] < 0 or left[n] == n


def tree_to_expr(
    left: Sequence[int],
    right: Sequence[int],
    split: Callable[[int], Expr],
    leaf: Callable[[int], Expr],
    root: int = 0,
) -> Expr:
    """Nested ``CASE WHEN split(n) THEN <left subtree> ELSE <right subtree> END``, with right-hand
    chains merged into one CASE.

    ``left[n] == -1`` (or ``left[n] == n``) marks a leaf whose value is ``leaf(n)``. Built
    bottom-up with an explicit stack, so tree depth is bounded by nothing but SQL engines."""
    built: dict[int, Expr] = {}
    stack: list[tuple[int, bool]] = [(root, False)]
    while stack:
        n, expanded = stack.pop()
        if _is_leaf(left, n):
            built[n] = leaf(n)
            continue
        if not expanded:
            stack.append((n, True))
            stack.append((int(right[n]), False))
            stack.append((int(left[n]), False))
            continue
        lo, hi = built.pop(int(left[n])), built.pop(int(right[n]))
        if isinstance(hi, Case) and hi.default is not None:
            # CASE WHEN a THEN l ELSE CASE WHEN b THEN m ELSE r END END is
            # CASE WHEN a THEN l WHEN b THEN m ELSE r END (also for NULL: an unknown condition
            # falls through either way); ~15 bytes less per split, half the nesting on average
            built[n] = Case(((split(n), lo), *hi.whens), hi.default)
        else:
            built[n] = Case(((split(n), lo),), hi)
    return built[root]


#: Deepest CASE nesting a tree is written with; deeper trees are written flat. SQLite's parser
#: stack overflows at 19 CASEs nested in THEN branches (measured on SQLite 3.40); 12 leaves room
#: for the expressions around a tree.
MAX_CASE_NESTING = 12


def case_nesting(left: Sequence[int], right: Sequence[int], root: int = 0) -> int:
    """How deep :func:`tree_to_expr` nests CASEs for this tree: a left subtree sits in its
    parent's THEN (one level deeper), a right subtree is merged into the parent's CASE (the same
    level), a leaf adds nothing. Computed without recursion."""
    nest: dict[int, int] = {}
    stack: list[tuple[int, bool]] = [(root, False)]
    while stack:
        n, expanded = stack.pop()
        if _is_leaf(left, n):
            nest[n] = 0
        elif not expanded:
            stack.extend(((n, True), (int(right[n]), False), (int(left[n]), False)))
        else:
            nest[n] = max(1 + nest.pop(int(left[n])), max(1, nest.pop(int(right[n]))))
    return nest[root]


def _as_right_turn(cond: Expr) -> Expr | None:
    """``x > t`` for a split written ``x <= t OR x IS NULL`` (missing goes left), else None.

    With the children swapped, ``CASE WHEN x > t THEN <right> ELSE <left> END`` routes every row
    the same way: a non-NULL ``x`` goes right exactly when ``x <= t`` is false (also for a NaN
    value, which PostgreSQL and DuckDB order above every number), and a NULL makes ``x > t``
    unknown, so it takes the ELSE: left. One comparison instead of an OR (about 20 bytes per
    such split, which is every other split of a scikit-learn tree)."""
    if not (isinstance(cond, Or) and len(cond.items) == 2):
        return None
    le, null = cond.items
    if (
        isinstance(le, Compare) and le.op == "<=" and isinstance(null, IsNull)
        and null.item == le.left and isinstance(le.right, Literal)
    ):
        return Compare(">", le.left, le.right)
    return None


def tree_case(
    left: Sequence[int],
    right: Sequence[int],
    split: Callable[[int], Expr],
    leaf: Callable[[int], Expr],
    root: int = 0,
) -> Expr:
    """The tree as nested CASEs (:func:`tree_to_expr`), or flat (:func:`flat_tree_expr`) when
    nesting would exceed :data:`MAX_CASE_NESTING`. Both give the same value for every row; the
    nested form evaluates one path, the flat one tests whole paths, so it is kept for the trees
    that need it (deep, left-heavy trees, e.g. LightGBM's leaf-wise ones or unpruned forests).

    Splits whose missing values go left are written as right turns (:func:`_as_right_turn`):
    the THEN branch is then the right child, and the nesting is counted on the branches as
    written."""
    first = list(left)
    second = list(right)
    conds: dict[int, Expr] = {}
    stack = [root]
    while stack:
        n = stack.pop()
        if _is_leaf(left, n):
            continue
        cond = split(n)
        turned = _as_right_turn(cond)
        if turned is not None:
            cond = turned
            first[n], second[n] = int(right[n]), int(left[n])
        conds[n] = cond
        stack.extend((int(left[n]), int(right[n])))
    written = conds.__getitem__
    if case_nesting(first, second, root) > MAX_CASE_NESTING:
        return flat_tree_expr(first, second, written, leaf, root)
    return tree_to_expr(first, second, written, leaf, root)


def flat_tree_expr(
    left: Sequence[int], right: Sequence[int], split: Callable[[int], Expr], leaf: Callable[[int], Expr], root: int = 0
) -> Expr:
    """One CASE with a WHEN per leaf, leaves in left-first order.

    A leaf's WHEN is the AND of the conditions where its path turns *left*: every right turn is
    implied by the earlier WHENs having failed (the WHENs of a left subtree are exhaustive once
    its condition holds), and a condition that is unknown (NULL) fails exactly like in a nested
    CASE. The rightmost leaf is the ELSE."""
    whens: list[tuple[Expr, Expr]] = []
    stack: list[tuple[int, tuple[Expr, ...]]] = [(root, ())]
    while stack:
        n, conds = stack.pop()
        if _is_leaf(left, n):
            whens.append((And(conds) if len(conds) > 1 else conds[0] if conds else lit(True), leaf(n)))
            continue
        stack.append((right[n], conds))
        stack.append((left[n], (*conds, split(n))))
    last = whens.pop()[1]
    return Case(tuple(whens), last) if whens else last


def float32_le_threshold(t: float) -> float:
    """The double ``d`` with ``x <= d  <=>  float32(x) <= t`` for every double ``x``.

    ``float32(x)`` rounds to nearest, ties to even. Let ``a`` be the largest float32 ``<= t`` and
    ``b`` the next float32 above it; ``float32(x) <= a`` exactly when ``x`` is below their midpoint
    ``m``, or equal to it and the tie rounds down to ``a`` (``a`` has an even significand). ``m`` is
    exact in double (25 significant bits)."""
    if math.isnan(t):
        raise ModelLoadError("a split threshold is NaN: the model is damaged")
    if t == math.inf:
        return math.inf
    a = np.float32(t)
    if float(a) > t:
        a = np.nextafter(a, np.float32(-np.inf))
    if np.isneginf(a):
        # every finite float32 is > t: only x that rounds to -inf satisfies it
        return -(_F32_MAX + 2.0**103)
    b = np.nextafter(a, np.float32(np.inf))
    if np.isposinf(b):
        # x rounds to +inf from max+half-ulp up (tie rounds to inf, as max is odd)
        return math.nextafter(_F32_MAX + 2.0**103, -math.inf)
    m = (float(a) + float(b)) / 2.0
    bits = int(np.array(a, dtype=np.float32).view(np.uint32))
    even = bits % 2 == 0
    return m if even else math.nextafter(m, -math.inf)


def float32_lt_threshold(s: float) -> float:
    """The double ``d`` with ``x <= d  <=>  float32(x) < s`` for a float32 split value ``s``
    (XGBoost's rule): ``float32(x) < s`` is ``float32(x) <= prev_float32(s)``."""
    s32 = np.float32(s)
    if float(s32) != float(s):
        raise ModelLoadError(f"split value {s!r} is not a float32 value: the model is damaged")
    return float32_le_threshold(float(np.nextafter(s32, np.float32(-np.inf))))


def pin_casts(xs: Sequence[Expr], ctx: Context) -> list[Expr]:
    """``xs`` with every ``CAST(column AS DOUBLE)`` computed once, in a pinned stage. A tree
    ensemble compares each feature thousands of times; repeating the cast in every comparison
    makes the SQL larger and slower to plan (DuckDB's common-subexpression pass alone spent
    seconds on a 300-tree LightGBM model) and to run."""
    out = list(xs)
    casts = [(i, x) for i, x in enumerate(out) if isinstance(x, Cast)]
    if casts:
        cols = [(ctx.fresh_name("x"), x) for _, x in casts]
        ctx.stages.append(Stage(tuple(cols), pinned=True))
        for (i, _), (name, _) in zip(casts, cols, strict=True):
            out[i] = Column(name)
    return out


def sum_trees(tree_exprs: Sequence[Expr], ctx: Context, hint: str = "acc", start: Expr | None = None) -> Expr:
    """``start + t_1 + t_2 + ...`` added left to right in tree order, as LightGBM's (and XGBoost's)
    prediction loops do, so the double sum is bit-identical to LightGBM's. One CASE column per tree;
    every :data:`TREES_PER_STAGE` trees the running sum is a pinned stage (a CTE), so 1,000 trees
    become a chain of moderate sub-selects, not one giant expression."""
    acc: Expr | None = start
    for lo in range(0, len(tree_exprs), TREES_PER_STAGE):
        terms = list(tree_exprs[lo : lo + TREES_PER_STAGE])
        acc = ctx.materialize([total([acc, *terms]) if acc is not None else total(terms)], hint, pin=True)[0]
    return acc if acc is not None else lit(0.0)
