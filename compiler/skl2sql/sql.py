"""A program to SQL text: plan (:mod:`skl2sql.plan`), lower (:mod:`skl2sql.lowering`), render.

The one place the three steps are put together; the API, the dbt files and data mode all write
their SQL through it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from .dialects import DialectPolicy
from .lowering import render, write_expressions, write_select
from .plan import plan_expressions, plan_select
from .program import Program

__all__ = ["build_select", "build_expressions", "select_sql"]


def build_select(
    program: Program, table: str, keep: Sequence[str], policy: DialectPolicy, beside: exp.Expression | None = None
) -> exp.Expression:
    """The whole model as one SELECT over ``table`` (a sqlglot tree): keep columns, then outputs.
    ``beside``: a one-row relation cross-joined to the table (see :func:`write_select`)."""
    return write_select(plan_select(program, keep, policy), table, policy, beside)


def build_expressions(program: Program, policy: DialectPolicy) -> dict[str, exp.Expression]:
    """Each output as a bare expression over the input columns (no FROM)."""
    return write_expressions(plan_expressions(program, policy), policy)


def select_sql(program: Program, table: str, keep: Sequence[str], policy: DialectPolicy, pretty: bool = False) -> str:
    """:func:`build_select` rendered as the dialect's SQL text."""
    return render(build_select(program, table, keep, policy), policy, pretty)
