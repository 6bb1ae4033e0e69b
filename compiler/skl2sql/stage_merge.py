"""Fit a model's stages under an engine's limit on WITH elements (MariaDB: 64).

Why: a tree ensemble adds its trees to a running sum in pinned stages of 25 trees, one CTE each,
so 1,600 trees are 64 CTEs and MariaDB refuses the query ("Too many WITH elements"). Nesting the
stages as derived tables instead hits "Too high level of nesting for select" at the same depth.
So where a dialect has a limit, :func:`fit_stage_limit` merges a stage into the next one when every
column of it is read exactly once, by that next stage (a running sum and nothing else): the
expression is substituted where it was read, which adds the same terms in the same order, so the
value is bit-identical. Stages read more than once (the input casts) are never merged.

Ensembles of many small models (bagging, calibration folds, one-vs-rest) instead add a few
stages per base model that do not read each other: 100 bagged trees were 103 CTEs. When merging
is not enough, :func:`level_stages` regroups every column into the earliest stage its inputs
allow, so the number of CTEs is the longest chain of dependencies, not the number of stages; no
expression changes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from . import ir
from .program import Stage

__all__ = ["fit_stage_limit", "level_stages", "LEVEL_ABOVE"]

#: Every dialect regroups its stages by dependency depth (:func:`level_stages`) beyond this many.
#: Why: engines plan each CTE as a nested subquery, and hundreds of them cost more than the
#: query: 100 bagged trees (207 stages) took 8.9 s to plan on PostgreSQL and 13 s on DuckDB,
#: 0.1 s and 0.4 s regrouped (3 levels), and ran 4-8x faster. Tree ensembles stay below it
#: (their running sums are one chain of ~25-tree stages, which levelling would not shorten), so
#: their measured layouts are untouched.
LEVEL_ABOVE = 64


def _readers(stages: Sequence[Stage], outputs: Sequence[tuple[str, ir.Expr]]) -> tuple[Counter[str], dict[str, set[int]]]:
    """Reference count of every column, and the indices of the stages reading it (-1: an output)."""
    count: Counter[str] = Counter()
    where: dict[str, set[int]] = defaultdict(set)
    for i, stage in enumerate(stages):
        for _, e in stage.columns:
            for node in ir.walk(e):
                if isinstance(node, ir.Column):
                    count[node.name] += 1
                    where[node.name].add(i)
    for _, e in outputs:
        for node in ir.walk(e):
            if isinstance(node, ir.Column):
                count[node.name] += 1
                where[node.name].add(-1)
    return count, where


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


def fit_stage_limit(
    stages: Sequence[Stage], outputs: Sequence[tuple[str, ir.Expr]], limit: int
) -> list[Stage]:
    """``stages`` under ``limit``: mergeable neighbours merged, then (if still over) regrouped by
    :func:`level_stages` and merged again; if nothing gets it under, the engine reports its own
    limit."""
    current = _merge_running_sums(stages, outputs, limit)
    if len(current) > limit:
        current = _merge_running_sums(level_stages(current), outputs, limit)
    return current


def _merge_running_sums(
    stages: Sequence[Stage], outputs: Sequence[tuple[str, ir.Expr]], limit: int
) -> list[Stage]:
    """``stages`` with mergeable neighbours merged until at most ``limit`` remain (or nothing more
    can be merged)."""
    current = list(stages)
    while len(current) > limit:
        count, where = _readers(current, outputs)
        excess = len(current) - limit
        merged: list[Stage] = []
        i = 0
        while i < len(current):
            stage = current[i]
            nxt = i + 1
            if excess > 0 and nxt < len(current) and all(
                count[name] == 1 and where[name] == {nxt} for name, _ in stage.columns
            ):
                mapping = dict(stage.columns)
                body = tuple((n, ir.substitute(e, mapping)) for n, e in current[nxt].columns)
                merged.append(Stage(body, pinned=True))
                excess -= 1
                i += 2
                continue
            merged.append(stage)
            i += 1
        if len(merged) == len(current):
            break
        current = merged
    return current
