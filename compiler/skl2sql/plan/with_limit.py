"""Pass: fit a model's stages under an engine's limit on WITH elements (MariaDB: 64).

Why: a tree ensemble adds its trees to a running sum in pinned stages of 25 trees, one CTE each,
so 1,600 trees are 64 CTEs and MariaDB refuses the query ("Too many WITH elements"). Nesting the
stages as derived tables instead hits "Too high level of nesting for select" at the same depth.
So where a dialect has a limit (``DialectPolicy.max_with_elements``), :func:`fit_stage_limit`
merges a stage into the next one when every column of it is read exactly once, by that next
stage (a running sum and nothing else): the expression is substituted where it was read, which
adds the same terms in the same order, so the value is bit-identical. Stages read more than once
(the input casts) are never merged. When merging is not enough, the stages are regrouped by
dependency depth (:func:`skl2sql.plan.leveling.level_stages`) and merged again.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace

from .. import ir
from ..dialects import DialectPolicy
from ..program import Stage
from .layout import Layout
from .leveling import level_stages

__all__ = ["fit_with_limit", "fit_stage_limit"]


def fit_with_limit(layout: Layout, policy: DialectPolicy) -> Layout:
    if policy.max_with_elements is None:
        return layout
    return replace(layout, stages=tuple(fit_stage_limit(layout.stages, layout.outputs, policy.max_with_elements)))


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
