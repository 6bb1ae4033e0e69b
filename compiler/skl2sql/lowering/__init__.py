"""Lowering: a planned layout to sqlglot trees and dialect SQL text.

- :mod:`~skl2sql.lowering.expressions`: one method per IR node type, for a dialect's policy.
- :mod:`~skl2sql.lowering.select`: the SELECT with CTEs (or bare expressions) and its rendering.
- :mod:`~skl2sql.lowering.category_lists`: the list-lookup form of a category CASE (DuckDB).
"""

from __future__ import annotations

from .expressions import Lowerer, float_text, lower_expr, lowerings
from .select import parse_table, render, write_expressions, write_select

__all__ = ["Lowerer", "lower_expr", "lowerings", "float_text", "write_select", "write_expressions", "render", "parse_table"]
