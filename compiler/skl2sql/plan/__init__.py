"""Planning: the passes between a dialect-neutral program and the SQL the lowering writes.

A pass takes a :class:`~skl2sql.plan.layout.Layout` and the dialect's policy and returns a new
layout; the driver runs an ordered list of them, as sqlglot's optimizer runs its rules. The order
is part of the design:

1. :func:`~skl2sql.plan.lookups.resolve_lookups`: arrays or their fallbacks, before liveness.
2. :func:`~skl2sql.plan.inlining.inline_single_reads`: dead columns dropped, single reads inlined.
3. :func:`~skl2sql.plan.leveling.level`: hundreds of stages regrouped by dependency depth.
4. :func:`~skl2sql.plan.with_limit.fit_with_limit`: under the engine's WITH-element limit.
5. :func:`~skl2sql.plan.pipeline_breaks.break_layout`: materialized stages where a vectorised
   engine's pipeline would outgrow the cache (it splits stages, so it runs after the regrouping).
6. :func:`~skl2sql.plan.projections.project`: what each CTE carries forward (always last).

Bare expressions (``CompiledModel.expressions``) run :data:`EXPRESSION_PASSES` instead.
Dialect-independent rewrites that the NumPy evaluation must see too run once when a model is
compiled, not here: :mod:`skl2sql.plan.long_sums` (running partial sums of very long sums).
A new pass: a module here with one function ``(Layout, DialectPolicy) -> Layout`` and its place
in the list.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..dialects import DialectPolicy
from ..program import Program
from .inlining import inline_everything, inline_single_reads, inlined_size
from .layout import Layout, Pass
from .leveling import level
from .lookups import resolve_lookups
from .pipeline_breaks import break_layout
from .projections import nan_tested, project
from .with_limit import fit_with_limit

__all__ = ["Layout", "Pass", "SELECT_PASSES", "EXPRESSION_PASSES", "run", "plan_select", "plan_expressions", "inlined_size"]

#: The passes of a SELECT, in order (see the module docstring).
SELECT_PASSES: tuple[Pass, ...] = (
    resolve_lookups,
    inline_single_reads,
    level,
    fit_with_limit,
    break_layout,
    project,
)

#: The passes of bare expressions: everything inlined, no stages.
EXPRESSION_PASSES: tuple[Pass, ...] = (resolve_lookups, inline_everything, nan_tested)


def run(layout: Layout, policy: DialectPolicy, passes: Sequence[Pass]) -> Layout:
    for apply in passes:
        layout = apply(layout, policy)
    return layout


def plan_select(program: Program, keep: Sequence[str], policy: DialectPolicy) -> Layout:
    """The layout of ``program`` as one SELECT, ready to be written."""
    return run(Layout.of(program, tuple(keep)), policy, SELECT_PASSES)


def plan_expressions(program: Program, policy: DialectPolicy) -> Layout:
    """The layout of ``program`` as bare expressions (outputs only)."""
    return run(Layout.of(program), policy, EXPRESSION_PASSES)
