"""Pass: regroup many stages into the fewest CTE levels their dependencies allow.

Why: ensembles of many small models (bagging, calibration folds, one-vs-rest) add a few stages
per base model that do not read each other: 100 bagged trees were 103 CTEs. Beyond
:data:`LEVEL_ABOVE` stages, :func:`level_stages` moves every column into the earliest stage its
inputs allow, so the number of CTEs is the longest chain of dependencies, not the number of
stages; no expression changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .. import ir
from ..dialects import DialectPolicy
from ..program import Stage
from .layout import Layout

__all__ = ["level", "level_stages", "LEVEL_ABOVE"]

#: Every dialect regroups its stages by dependency depth (:func:`level_stages`) beyond this many.
#: Why: engines plan each CTE as a nested subquery, and hundreds of them cost more than the
#: query: 100 bagged trees (207 stages) took 8.9 s to plan on PostgreSQL and 13 s on DuckDB,
#: 0.1 s and 0.4 s regrouped (3 levels), and ran 4-8x faster. Tree ensembles stay below it
#: (their running sums are one chain of ~25-tree stages, which levelling would not shorten), so
#: their measured layouts are untouched.
LEVEL_ABOVE = 64


def level(layout: Layout, policy: DialectPolicy) -> Layout:
    if len(layout.stages) <= LEVEL_ABOVE:
        return layout
    return replace(layout, stages=tuple(level_stages(layout.stages)))


def level_stages(stages: Sequence[Stage]) -> list[Stage]:
    """Every column moved to the earliest stage after the ones defining the columns it reads
    (a column reading only inputs goes to the first). Each column keeps its expression and the
    columns of a stage keep their order, so the values are the same; only the grouping changes."""
    level: dict[str, int] = {}
    groups: list[list[tuple[str, ir.Expr]]] = []
    for stage in stages:
        for name, e in stage.columns:
            deps = [level[n.name] for n in ir.walk(e) if isinstance(n, ir.Column) and n.name in level]
            at = 1 + max(deps) if deps else 0
            while len(groups) <= at:
                groups.append([])
            groups[at].append((name, e))
            level[name] = at
    return [Stage(tuple(cols), pinned=True) for cols in groups if cols]
