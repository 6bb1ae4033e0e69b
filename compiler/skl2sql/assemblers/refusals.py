"""scikit-learn's refusals as NULL outputs: what an estimator raises for, the SQL answers NULL.

scikit-learn refuses a whole batch where the SQL scores row by row, so a row it would refuse
must get NULL in every output. Assemblers record refusals while they build
(:meth:`Context.refuse_missing`, :meth:`Context.refuse_unless`, the finite reads of
:meth:`Context.number`); once the outputs are known, :func:`guard_refusals` and
:func:`guard_finite` put the guards on them, as cheaply as the analyses in
:mod:`skl2sql.analysis` allow (most models need none: their outputs are NULL already).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..analysis.null_strict import null_strict_columns
from ..analysis.overflow_bound import overflow_bound
from ..ir import DOUBLE_MAX, And, Case, Cast, Column, Compare, Expr, IsNull, Not, Or, lit
from .context import Context

__all__ = ["guard_refusals", "guard_finite", "inside_doubles"]


def inside_doubles(x: Expr, bound: float = DOUBLE_MAX) -> Expr:
    """``x`` is a finite number within ``[-bound, bound]``: false for ±infinity and for NaN (NaN
    compares false, or above every number where NaN = NaN), unknown for NULL."""
    return And((Compare(">=", x, lit(-bound)), Compare("<=", x, lit(bound))))


def guard_refusals(ctx: Context, outputs: Sequence[tuple[str, Expr]]) -> list[tuple[str, Expr]]:
    """``outputs`` NULL where a column registered with :meth:`Context.refuse_missing` is NULL.
    Columns that already make every output NULL (:mod:`skl2sql.analysis.null_strict`; most
    models) cost nothing; the others share one 1-or-NULL flag."""
    if not ctx.refusals:
        return list(outputs)
    stages = [st.columns for st in ctx.stages]
    strict = null_strict_columns(stages, [e for _, e in outputs], ctx.refusals)
    loose = [c for c in ctx.refusals if c not in strict]
    if not loose:
        return list(outputs)
    conds = tuple(Not(IsNull(Column(c))) for c in loose)
    flag = ctx.flag(And(conds) if len(conds) > 1 else conds[0], "scored")
    return [(n, Case(((Compare("=", flag, lit(1)), e),), None)) for n, e in outputs]


def guard_finite(ctx: Context, outputs: Sequence[tuple[str, Expr]]) -> list[tuple[str, Expr]]:
    """``outputs`` NULL for rows where a column in ``ctx.finite`` holds ±infinity (sklearn
    raises for them; a stored NaN is already NULL there, and missing values are each
    estimator's business), or a magnitude beyond the program's overflow bound
    (:func:`skl2sql.analysis.overflow_bound.overflow_bound`: inside it no intermediate value can
    leave the double range, which PostgreSQL and MariaDB raise on and DuckDB and SQLite turn
    into inf and NaN). Sets ``ctx.bound``.

    Where every output is NULL when the input is (a model without an imputer in front,
    :mod:`skl2sql.analysis.null_strict`), the input is read as NULL unless within the bound: one
    range check in place of the NaN test, no flag. The other inputs share one 1-or-NULL flag
    column, tested on the input as stored; their reads are NULL beyond the bound too, so
    that no step computes with them before the flag refuses the row."""
    if not ctx.finite:
        return list(outputs)
    finite = sorted(ctx.finite)
    for name in finite:
        ctx.number_column(name)  # every finite input read once, in the pinned stage
    reads = ctx.number_reads()
    pinned = [reads[n] for n in finite]
    stages = [st.columns for st in ctx.stages]
    exprs = [e for _, e in outputs]
    bound = overflow_bound(stages, exprs, [*finite, *pinned])
    ctx.bound = bound
    strict = null_strict_columns(stages, exprs, pinned)
    loose = set(pinned) - strict if bound < DOUBLE_MAX else set()
    if strict or loose:
        _read_within(ctx, strict | loose, bound)
    conds: list[Expr] = []
    for name in finite:
        x = reads[name]
        if x in strict:
            continue
        raw: Expr = Cast(Column(name), "number") if x in loose else Column(x)
        conds.append(Or((IsNull(raw), inside_doubles(raw, bound))))
    if not conds:
        return list(outputs)
    cond: Expr = And(tuple(conds)) if len(conds) > 1 else conds[0]
    guarded = ctx.guard(cond, exprs, "finite")
    return [(n, e) for (n, _), e in zip(outputs, guarded, strict=True)]


def _read_within(ctx: Context, columns: set[str], bound: float) -> None:
    """Redefine the pinned input reads named in ``columns`` as NULL unless within ``bound``
    (the range check is false for NaN as well, so it replaces the NaN test)."""
    change: dict[str, Expr] = {}
    for name, e in ctx.stages_number_reads():
        if name in columns:
            assert isinstance(e, Cast) and isinstance(e.item, Column)
            # only the value read is flushed: the range check reads the value as stored
            change[name] = Case(((inside_doubles(Cast(e.item, "double"), bound), Cast(e.item, "double", flush=True)),), None)
    ctx.redefine_number_reads(change)
