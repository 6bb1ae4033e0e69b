"""Which columns, when NULL, make every output of a program NULL.

Why: sklearn refuses a row holding ±infinity in most estimators, so the SQL must give NULL outputs
for it (:func:`skl2sql.assemblers.refusals.guard_finite`). The general way is a per-row flag of range
checks on every such input; on a one-hot logistic model that flag cost ~20% of the query on
DuckDB. But a model whose outputs are NULL whenever the input is NULL (a linear model without an
imputer, and most pipelines that refuse missing values) needs no flag: reading the input as NULL
when it is not finite gives the same NULL outputs, and the range check replaces the NaN test that
the read needs anyway, at no extra cost. This module finds those inputs, conservatively: it may
miss a strict column, never call a non-strict one strict.

The analysis follows the IR's SQL semantics (:mod:`skl2sql.ir`): arithmetic, functions,
comparisons, casts and lookups are NULL when an operand is; ``IS NULL`` never is, and
``NOT (y IS NULL)`` is not true when ``y`` is NULL; a ``CASE`` is NULL
when every branch is either not taken (its condition is not true) or yields NULL, and so is its
``ELSE``. For each expression it computes two sets of candidate columns, as bit masks:

* ``null``: the column being NULL makes the expression NULL;
* ``untrue``: the column being NULL makes the expression not TRUE (NULL or FALSE); a superset of
  ``null``, and what matters for a ``CASE`` condition and for ``AND``/``OR``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..ir import And, Case, Column, Expr, IsNull, Literal, Lookup, Not, Or, fold

__all__ = ["null_strict_columns"]


def null_strict_columns(
    stages: Iterable[Sequence[tuple[str, Expr]]],
    outputs: Sequence[Expr],
    candidates: Sequence[str],
) -> set[str]:
    """The ``candidates`` (column names) that make every one of ``outputs`` NULL when NULL.

    ``stages``: the column definitions of the program's stages, in order; a reference to a stage
    column stands for its definition. A candidate that is a stage column is NULL when it is, and
    also whenever its definition is (a step's output guarded by another candidate's flag)."""
    bit = {name: 1 << i for i, name in enumerate(candidates)}
    everything = (1 << len(candidates)) - 1
    defined: dict[str, tuple[int, int]] = {}
    for columns in stages:
        for name, e in columns:
            null, untrue = _masks(e, bit, defined, everything)
            if name in bit:
                null, untrue = null | bit[name], untrue | bit[name]
            defined[name] = (null, untrue)
    strict = everything
    for e in outputs:
        strict &= _masks(e, bit, defined, everything)[0]
        if not strict:
            break
    return {name for name, b in bit.items() if strict & b}


def _masks(root: Expr, bit: dict[str, int], defined: dict[str, tuple[int, int]], everything: int) -> tuple[int, int]:
    """``(null, untrue)`` masks of ``root``: iterative post-order (tree ensembles nest deeply),
    memoised by node identity (assemblers share subexpressions)."""
    memo: dict[int, tuple[int, int]] = {}

    def visit(e: Expr, kids: list[tuple[int, int]]) -> tuple[int, int]:
        if isinstance(e, Not) and isinstance(e.item, IsNull):
            # NOT (y IS NULL) is FALSE, so not true, whenever y is NULL
            return (0, memo[id(e.item.item)][0])
        return _node_masks(e, kids, bit, defined, everything)

    return fold(root, memo, visit)


def _node_masks(
    e: Expr, kids: list[tuple[int, int]], bit: dict[str, int], defined: dict[str, tuple[int, int]], everything: int
) -> tuple[int, int]:
    if isinstance(e, Column):
        if e.name in defined:
            return defined[e.name]
        if e.name in bit:
            return bit[e.name], bit[e.name]
        return 0, 0
    if isinstance(e, Literal):
        return (everything, everything) if e.value is None else (0, 0)
    if isinstance(e, IsNull):
        return 0, 0
    if isinstance(e, Not):
        return kids[0][0], kids[0][0]  # NOT NULL is NULL; NOT FALSE is TRUE
    if isinstance(e, And):
        null = everything
        untrue = 0
        for n, u in kids:
            null &= n
            untrue |= u
        return null, untrue | null
    if isinstance(e, Or):
        null = everything
        untrue = everything
        for n, u in kids:
            null &= n
            untrue &= u
        return null, untrue | null
    if isinstance(e, Case):
        null = everything  # an absent ELSE is NULL
        for i in range(len(e.whens)):
            cond, value = kids[2 * i], kids[2 * i + 1]
            null &= cond[1] | value[0]
        if e.default is not None:
            null &= kids[-1][0]
        return null, null
    # Arith, Sum, Func, Compare, Cast, InList, Lookup: NULL when any operand is NULL. (A Lookup's
    # fallback is the same value written without arrays; its index alone decides.)
    null = 0
    for n, _ in kids[:1] if isinstance(e, Lookup) else kids:
        null |= n
    return null, null

