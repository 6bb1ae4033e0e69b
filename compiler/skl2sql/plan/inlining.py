"""Pass: drop stage columns nothing reads, and inline the ones read at most once (or cheap to repeat).

Assemblers materialize generously (every value they might read twice gets a stage column); this
pass undoes that wherever it bought nothing, so the SQL still computes each shared value exactly
once and nothing else gets a CTE column. ``pinned`` stages are kept as they are (tree ensembles'
running sums and input casts: see :class:`~skl2sql.program.Stage`).

:func:`inline_everything` is the pass of bare expressions (``CompiledModel.expressions``): every
stage column inlined where it is read, which can grow without bound, hence :func:`inlined_size`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from .. import ir
from ..dialects import DialectPolicy
from ..program import Program, Stage
from .layout import Layout

__all__ = ["inline_single_reads", "inline_everything", "inlined_size", "live_columns"]


def _column_names(e: ir.Expr) -> list[str]:
    return [node.name for node in ir.walk(e) if isinstance(node, ir.Column)]


def live_columns(layout: Layout) -> set[str]:
    """Stage columns the outputs depend on, directly or through other stage columns. Assemblers
    may leave columns behind that nothing reads any more (e.g. one-hot indicators after a linear
    model folded them into one lookup); they must not be computed, nor count as references."""
    defs = dict(layout.columns())
    live: set[str] = set()
    stack = [name for _, e in layout.outputs for name in _column_names(e)]
    while stack:
        name = stack.pop()
        if name in live or name not in defs:
            continue
        live.add(name)
        stack.extend(_column_names(defs[name]))
    return live


def inline_single_reads(layout: Layout, policy: DialectPolicy) -> Layout:
    live = live_columns(layout)
    refs: Counter[str] = Counter()
    for name, e in layout.columns():
        if name in live:
            refs.update(_column_names(e))
    for _, e in layout.outputs:
        refs.update(_column_names(e))
    mapping: dict[str, ir.Expr] = {}
    stages: list[Stage] = []
    for stage in layout.stages:
        kept: list[tuple[str, ir.Expr]] = []
        for name, e in stage.columns:
            if name not in live:
                continue
            e2 = ir.substitute(e, mapping) if mapping else e
            if not stage.pinned and (refs[name] <= 1 or ir.is_trivial(e2)):
                mapping[name] = e2
            else:
                kept.append((name, e2))
        if kept:
            stages.append(Stage(tuple(kept), pinned=stage.pinned))
    outputs = tuple((n, ir.substitute(e, mapping) if mapping else e) for n, e in layout.outputs)
    return replace(layout, stages=tuple(stages), outputs=outputs)


def inline_everything(layout: Layout, policy: DialectPolicy) -> Layout:
    mapping: dict[str, ir.Expr] = {}
    for name, e in layout.columns():
        mapping[name] = ir.substitute(e, mapping)
    outputs = tuple((n, ir.substitute(e, mapping)) for n, e in layout.outputs)
    return replace(layout, stages=(), outputs=outputs)


def inlined_size(program: Program) -> int:
    """IR nodes the outputs have once every stage column is inlined where it is read: what
    :func:`inline_everything` would make, counted without making it (a column read k times counts
    k times, so a chain of stages each read twice doubles per stage)."""
    size: dict[str, int] = {}

    def count(e: ir.Expr) -> int:
        return sum(size.get(n.name, 1) if isinstance(n, ir.Column) else 1 for n in ir.walk(e))

    for stage in program.stages:
        for name, e in stage.columns:
            size[name] = count(e)
    return sum(count(e) for _, e in program.outputs)
