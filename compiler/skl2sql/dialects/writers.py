"""The constructs a policy's functions write, shared by the dialects that use them.

Each is a rule with a reason measured on an engine; the dialect modules say which dialect
uses which.
"""

from __future__ import annotations

from sqlglot import exp

__all__ = ["nullif_nan", "case_is_nan", "fence_offset", "fence_limit_offset", "fence_limit"]


def _nan() -> exp.Expression:
    return exp.Cast(this=exp.Literal.string("NaN"), to=exp.DataType.build("DOUBLE"))


def nullif_nan(x: exp.Expression) -> exp.Expression:
    """``NULLIF(x, 'NaN')``: for engines where ``NaN = NaN`` is true (PostgreSQL and DuckDB also
    sort NaN above every number), one step."""
    return exp.Nullif(this=x, expression=_nan())


def case_is_nan(x: exp.Expression) -> exp.Expression:
    """``CASE WHEN IS_NAN(x) THEN NULL ELSE x END``: for IEEE comparison (``NaN = NaN`` false)."""
    return exp.Case(ifs=[exp.If(this=exp.IsNan(this=x.copy()), true=exp.Null())], default=x)


def fence_offset(select: exp.Select) -> exp.Select:
    """``OFFSET 0``: PostgreSQL does not flatten a sub-select with OFFSET (streamed, not
    materialized)."""
    select.set("offset", exp.Offset(expression=exp.Literal.number(0)))
    return select


def fence_limit_offset(select: exp.Select) -> exp.Select:
    """``LIMIT -1 OFFSET 0``: SQLite needs a LIMIT to accept the OFFSET; -1 is no limit."""
    select.set("limit", exp.Limit(expression=exp.Neg(this=exp.Literal.number(1))))
    select.set("offset", exp.Offset(expression=exp.Literal.number(0)))
    return select


#: MariaDB's documented "no limit" value for LIMIT.
MYSQL_NO_LIMIT = "18446744073709551615"


def fence_limit(select: exp.Select) -> exp.Select:
    """``LIMIT 18446744073709551615``: MariaDB does not merge a derived table with a LIMIT."""
    select.set("limit", exp.Limit(expression=exp.Literal.number(MYSQL_NO_LIMIT)))
    return select
