"""Pass: make every :class:`~skl2sql.ir.Lookup` and :class:`~skl2sql.ir.ArrayForm` final for the dialect.

Array lookups where the dialect indexes array literals (``DialectPolicy.array_lookup``), their
plain fallbacks elsewhere. It runs first, before liveness: a dialect written with fallbacks then
does not compute the leaf numbers only the lookups would have read.
"""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..dialects import DialectPolicy
from ..program import Stage
from .layout import Layout

__all__ = ["resolve_lookups"]


def resolve_lookups(layout: Layout, policy: DialectPolicy) -> Layout:
    arrays = policy.array_lookup

    def fix(e: ir.Expr) -> ir.Expr:
        return ir.resolve_lookups(e, arrays)

    stages = tuple(Stage(tuple((n, fix(e)) for n, e in st.columns), pinned=st.pinned) for st in layout.stages)
    return replace(layout, stages=stages, outputs=tuple((n, fix(e)) for n, e in layout.outputs))
