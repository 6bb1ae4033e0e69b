"""The largest input magnitude for which no intermediate value of a program can overflow.

Why: a finite input such as 1e308 can make an intermediate value leave the double range: a
StandardScaler dividing by 0.014, a sum of large terms, ``x ** 2`` in PolynomialFeatures,
``exp`` of a large score. PostgreSQL and MariaDB then raise "value out of range: overflow" and
fail the whole query (a view errors on every query, even one filtering to a good row); DuckDB and
SQLite carry on with ``inf`` and NaN and can return a label that contradicts its own probability.
scikit-learn refuses most such rows (the next step's input validation finds the infinity).

So every input a step reads as a finite number (:meth:`skl2sql.assemblers.context.Context.number`) is
checked against a bound ``B`` instead of the largest double: a row with ``|x| > B`` gets NULL
outputs, on every engine, and inside the bound no intermediate value can overflow. ``B`` comes
from interval arithmetic over the program with every such input in ``[-B, B]`` (all at once, so it
is conservative: a row can be refused whose actual intermediate values would have stayed finite,
with values of the order of ``B``, near 1e300 for a linear model, 1e150 where a square is taken).
It is the largest power of two for which every node that is bounded for small inputs stays
within the double range; nodes that are unbounded whatever ``B`` (inputs taken with infinity as a
value, a division by a quantity that may be zero, ``exp`` of an unbounded difference) do not
constrain it.

The range check costs what the infinity check it replaces cost: the same comparison with another
constant.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from ..ir import (
    DOUBLE_MAX,
    EXP_MAX,
    And,
    Arith,
    ArrayForm,
    Case,
    Cast,
    Column,
    Compare,
    Expr,
    Func,
    InList,
    IsNull,
    Literal,
    Lookup,
    Not,
    Or,
    Sum,
    fold,
)

__all__ = ["overflow_bound"]

Interval = tuple[float, float] | None  # None: not a number (a boolean or text)
_ALL: tuple[float, float] = (-math.inf, math.inf)
#: The value of an ``exp`` that may overflow, and of everything computed from it: unbounded, but
#: it does not constrain the bound. Every ``exp`` the assemblers write is clamped
#: (:func:`skl2sql.ir.sigmoid`), of a value minus its maximum (softmax), or NULL above
#: :data:`skl2sql.ir.EXP_MAX` (GLM links, ``expm1``, FunctionTransformer); a bound from ``exp``
#: would be ~700 divided by the coefficients, refusing ordinary rows.
_FREE: tuple[float, float] = (-math.inf, math.inf)


def overflow_bound(
    stages: Iterable[Sequence[tuple[str, Expr]]],
    outputs: Sequence[Expr],
    bounded: Iterable[str],
) -> float:
    """The largest power of two ``B`` (at most the largest double) such that, with every column
    named in ``bounded`` in ``[-B, B]``, no node of the program that stays bounded for inputs in
    ``[-1, 1]`` exceeds the double range. ``bounded``: input or stage columns read as finite
    numbers. ``stages``: the stages' column definitions, in order."""
    columns = [list(c) for c in stages]
    names = set(bounded)
    if not names:
        return DOUBLE_MAX
    fixed: dict[int, Interval] = {}  # nodes whose value cannot depend on B: evaluated once
    base = _unbounded_nodes(columns, outputs, names, 1.0, fixed, _dependent(columns, outputs, names))
    if not _unbounded_nodes(columns, outputs, names, DOUBLE_MAX, fixed) - base:
        return DOUBLE_MAX
    lo, hi = 0, 1023  # B = 2**e; 2**0 is fine by definition of `base`
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _unbounded_nodes(columns, outputs, names, 2.0**mid, fixed) - base:
            hi = mid - 1
        else:
            lo = mid
    return 2.0**lo


def _dependent(stages: list[list[tuple[str, Expr]]], outputs: Sequence[Expr], bounded: set[str]) -> set[int]:
    """Identities of the nodes that read a ``bounded`` column, directly or through stage columns:
    the only ones whose interval changes with ``B``. A 100-tree forest behind a scaler is
    100,000 nodes, nearly all of them independent of ``B``; they are evaluated once."""
    columns: set[str] = set(bounded)
    memo: dict[int, bool] = {}
    found: set[int] = set()

    def visit(e: Expr, kids: list[bool]) -> bool:
        hit = (isinstance(e, Column) and e.name in columns) or any(kids)
        if hit:
            found.add(id(e))
        return hit

    for stage in stages:
        for name, e in stage:
            if fold(e, memo, visit):
                columns.add(name)
    for e in outputs:
        fold(e, memo, visit)
    return found


def _unbounded_nodes(
    stages: list[list[tuple[str, Expr]]], outputs: Sequence[Expr], bounded: set[str], b: float,
    fixed: dict[int, Interval], dependent: set[int] | None = None,
) -> set[int]:
    """Identities of the numeric nodes whose interval leaves the double range when every column
    in ``bounded`` is in ``[-b, b]``. ``fixed``: intervals of the nodes that do not depend on
    ``b``; filled by the first call (given ``dependent``), then read, so later calls skip them."""
    defined: dict[str, Interval] = {}
    maxima: dict[str, list[Expr]] = {}
    bad: set[int] = set()
    memo: dict[int, Interval] = dict(fixed)
    for columns in stages:
        for name, e in columns:
            interval = _interval(e, defined, maxima, bounded, b, memo, bad)
            if name in bounded:
                interval = (-b, b)
            defined[name] = interval
            members = _max_members(e)
            if members:
                maxima[name] = members
    for e in outputs:
        _interval(e, defined, maxima, bounded, b, memo, bad)
    if dependent is not None:
        fixed.update((k, v) for k, v in memo.items() if k not in dependent)
    return bad


def _max_members(e: Expr) -> list[Expr]:
    """The values of which ``e`` is the maximum, when it is :func:`skl2sql.ir.greatest` (each
    branch returns a value whose condition says it is ``>=`` / ``>`` the others), else []."""
    if not isinstance(e, Case) or e.default is not None or len(e.whens) < 2:
        return []
    members = []
    for cond, value in e.whens:
        compares = cond.items if isinstance(cond, And) else (cond,)
        if not all(isinstance(c, Compare) and c.op in (">=", ">") and c.left == value for c in compares):
            return []
        members.append(value)
    return members


def _interval(
    root: Expr, defined: dict[str, Interval], maxima: dict[str, list[Expr]], bounded: set[str], b: float,
    memo: dict[int, Interval], bad: set[int],
) -> Interval:
    """Interval of ``root`` (:func:`skl2sql.ir.fold`); nodes that leave the double range are
    added to ``bad``."""

    def visit(e: Expr, values: list[Interval]) -> Interval:
        if any(v is _FREE for v in values) and not isinstance(e, Case):
            return None if isinstance(e, (Compare, And, Or, Not, IsNull, InList)) else _FREE
        got = _node(e, values, defined, maxima, bounded, b)
        if got is not _FREE and got is not None and not (abs(got[0]) <= DOUBLE_MAX and abs(got[1]) <= DOUBLE_MAX):
            bad.add(id(e))
            return _ALL
        return got

    return fold(root, memo, visit)


def _hull(items: Iterable[Interval]) -> Interval:
    got = [i for i in items if i is not None]
    if not got:
        return None
    if any(i is _FREE for i in got):
        return _FREE
    return min(i[0] for i in got), max(i[1] for i in got)


def _mul(x: tuple[float, float], y: tuple[float, float]) -> tuple[float, float]:
    products = []
    for p in x:
        for q in y:
            v = p * q
            products.append(0.0 if math.isnan(v) else v)  # inf * 0: the finite factor is 0
    return min(products), max(products)


def _node(
    e: Expr, kids: list[Interval], defined: dict[str, Interval], maxima: dict[str, list[Expr]], bounded: set[str],
    b: float,
) -> Interval:
    if isinstance(e, Column):
        if e.name in defined:
            return defined[e.name]
        return (-b, b) if e.name in bounded else _ALL
    if isinstance(e, Literal):
        v = e.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return None
        return (float(v), float(v))
    if isinstance(e, (Compare, And, Or, Not, IsNull, InList)):
        return None
    if isinstance(e, Cast):
        if e.to == "text" or kids[0] is None:
            return None
        if isinstance(e.item, Column) and e.item.name in bounded:
            return (-b, b)
        return kids[0]
    if isinstance(e, Sum):
        nums = [k if k is not None else _ALL for k in kids]
        return sum(k[0] for k in nums), sum(k[1] for k in nums)
    if isinstance(e, Arith):
        x, y = (k if k is not None else _ALL for k in kids)
        if e.op == "+":
            return x[0] + y[0], x[1] + y[1]
        if e.op == "-":
            if isinstance(e.right, Column) and e.left in maxima.get(e.right.name, ()):
                return x[0] - y[1], 0.0  # a value minus the maximum it is part of (softmax)
            return x[0] - y[1], x[1] - y[0]
        if e.op == "*":
            return _mul(x, y)
        if y[0] > 0 or y[1] < 0:
            return _mul(x, (1.0 / y[1], 1.0 / y[0]))
        return _ALL  # a divisor that may be zero (the assembler guards it): no bound from here
    if isinstance(e, Case):
        return _case(e, kids)
    if isinstance(e, Lookup):
        return _hull([(min(e.values), max(e.values)) if e.values else None, *(kids[1:] if e.fallback else [])])
    if isinstance(e, ArrayForm):
        return _hull(kids)
    if isinstance(e, Func):
        return _func(e.name, kids)
    raise TypeError(f"not an IR node: {e!r}")


def _case(e: Case, kids: list[Interval]) -> Interval:
    """The hull of the branch values. A branch reached only when earlier conditions ``v < a`` /
    ``v > b`` (``<=``, ``>=``) on its own value failed is narrowed by them: that is how
    :func:`skl2sql.ir.clip` clamps, and how a guarded read ``CASE WHEN x <= B ... THEN x`` is
    bounded."""
    values: list[Interval] = []
    low, high = -math.inf, math.inf  # bounds on `subject` from failed conditions so far
    subject: Expr | None = None
    for i, (cond, value) in enumerate(e.whens):
        v = kids[2 * i + 1]
        values.append(_narrow(v, value, subject, low, high))
        got = _failed_bound(cond)
        if got is None:
            subject, low, high = None, -math.inf, math.inf
        else:
            s, lo, hi = got
            if subject is None or s == subject:
                subject, low, high = s, max(low, lo), min(high, hi)
    if e.default is not None:
        values.append(_narrow(kids[-1], e.default, subject, low, high))
    return _hull(values)


def _narrow(v: Interval, value: Expr, subject: Expr | None, low: float, high: float) -> Interval:
    if v is None or subject is None or value != subject:
        return v
    narrowed = max(v[0], low), min(v[1], high)
    if v is _FREE and not (math.isfinite(narrowed[0]) and math.isfinite(narrowed[1])):
        return _FREE
    return narrowed


def _failed_bound(cond: Expr) -> tuple[Expr, float, float] | None:
    """``(v, lo, hi)`` when ``cond`` being not true means ``lo <= v <= hi`` for a non-NULL ``v``
    (``v < a`` failed: ``v >= a``), else None."""
    if not (isinstance(cond, Compare) and isinstance(cond.right, Literal)):
        return None
    a = cond.right.value
    if isinstance(a, bool) or not isinstance(a, (int, float)):
        return None
    if cond.op in ("<", "<="):
        return cond.left, float(a), math.inf
    if cond.op in (">", ">="):
        return cond.left, -math.inf, float(a)
    return None


def _func(name: str, kids: list[Interval]) -> Interval:
    if any(k is None for k in kids):
        return None
    x = kids[0]
    assert x is not None
    if name == "exp":
        if x[1] > EXP_MAX:
            return _FREE
        return (0.0 if x[0] < -745.0 else math.exp(x[0]), math.exp(x[1]))
    if name in ("ln", "log10"):
        # the log of the smallest positive double is above -745 (-324 for log10); a zero or
        # negative argument is NULL or refused by the assembler's own guard
        log, floor = (math.log, -745.0) if name == "ln" else (math.log10, -324.0)
        return (log(x[0]) if x[0] > 0 else floor, log(x[1]) if x[1] > 0 else floor)
    if name == "sqrt":
        return (math.sqrt(max(x[0], 0.0)), math.sqrt(max(x[1], 0.0)))
    if name == "abs":
        m = max(abs(x[0]), abs(x[1]))
        return (0.0 if x[0] <= 0 <= x[1] else min(abs(x[0]), abs(x[1])), m)
    if name == "sign":
        return (-1.0, 1.0)
    if name in ("floor", "ceil"):
        return (math.floor(x[0]) if math.isfinite(x[0]) else x[0], math.ceil(x[1]) if math.isfinite(x[1]) else x[1])
    if name in ("cos", "sin"):
        return (-1.0, 1.0)
    if name == "asin":
        return (-math.pi / 2, math.pi / 2)
    if name == "power":
        y = kids[1]
        assert y is not None
        if y[0] == y[1] and y[0] >= 0:
            m = max(abs(x[0]), abs(x[1]))
            try:
                top = m ** y[0]
            except OverflowError:
                top = math.inf
            return (-top, top)
        return _ALL
    return _ALL
