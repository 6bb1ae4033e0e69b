"""Shared pieces for every tree model (scikit-learn, LightGBM, XGBoost).

- :func:`tree_to_expr` turns a binary tree (arrays of children) into one nested ``CASE``.
- :func:`route_left` writes a split condition with explicit NULL routing: SQL's ``NULL <= t`` is
  unknown and would silently take the ELSE branch, so a learned "missing goes left" becomes
  ``x <= t OR x IS NULL``.
- :func:`float32_le_threshold` makes ``float32(x) <= t`` exact in double precision at compile
  time, so the SQL compares doubles and pays nothing for sklearn's float32 semantics.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from ..ir import Case, Expr, IsNull, Or

__all__ = [
    "tree_to_expr",
    "route_left",
    "float32_le_threshold",
    "float32_lt_threshold",
]

_F32_MAX = float(np.finfo(np.float32).max)


def route_left(x: Expr, condition: Expr, missing_left: bool) -> Expr:
    """The condition for going left, with NULL going left iff ``missing_left``.

    ``condition`` must be unknown for NULL ``x`` (any comparison is), so without the OR a NULL
    goes right."""
    if missing_left:
        return Or((condition, IsNull(x)))
    return condition


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
    def is_leaf(n: int) -> bool:
        return left[n] < 0 or left[n] == n

    built: dict[int, Expr] = {}
    stack: list[tuple[int, bool]] = [(root, False)]
    while stack:
        n, expanded = stack.pop()
        if is_leaf(n):
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


def float32_le_threshold(t: float) -> float:
    """The double ``d`` with ``x <= d  <=>  float32(x) <= t`` for every double ``x``.

    ``float32(x)`` rounds to nearest, ties to even. Let ``a`` be the largest float32 ``<= t`` and
    ``b`` the next float32 above it; ``float32(x) <= a`` exactly when ``x`` is below their midpoint
    ``m``, or equal to it and the tie rounds down to ``a`` (``a`` has an even significand). ``m`` is
    exact in double (25 significant bits)."""
    if math.isnan(t):
        raise ValueError("NaN threshold")
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
        raise ValueError(f"{s!r} is not a float32 value")
    return float32_le_threshold(float(np.nextafter(s32, np.float32(-np.inf))))
