"""Where a vectorised engine should materialize a stage, so each pipeline's CASE trees fit in cache.

Why: DuckDB runs a chain of CTEs as one pipeline; every 2,048-row vector passes through every
stage's expressions before the next vector starts, so the working set is the state of *all* CASE
nodes of the query (each node keeps its own selection and intermediate vectors). Past roughly a
thousand CASE branches that state no longer fits in the CPU caches and every node costs a cache
miss per vector: measured on DuckDB 2.0 (2-core EPYC, 1,000,000 rows), 40 complete depth-8 trees
ran at 316 ms per tree in one pipeline and 131 ms per tree when every 5 trees were a
``MATERIALIZED`` CTE (a pipeline breaker); RandomForest 100x8 went from 8.1 s to 5.9 s and
GradientBoosting 300x5 from 5.5 s to 3.5 s.

:func:`break_pipelines` walks the planned stages, counts CASE branches (:func:`case_weight`) and
marks a stage to materialize whenever the next one would push the running count past the budget.
A single stage over the budget is split: its columns spread over consecutive stages, and a long
``Sum`` of trees becomes partial sums carried from stage to stage. The partial sums add the same
terms in the same left-to-right order, so the result is bit-identical to the unsplit sum.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from .. import ir
from ..dialects import DialectPolicy
from ..program import Stage
from .layout import Layout

__all__ = ["case_weight", "break_pipelines", "break_layout"]


def case_weight(e: ir.Expr) -> int:
    """Number of ``WHEN`` branches in ``e``: one per tree split, the unit of the cache budget."""
    return sum(len(n.whens) for n in ir.walk(e) if isinstance(n, ir.Case))


class _Names:
    """Fresh column names for partial sums, unique case-insensitively against every name in use."""

    def __init__(self, taken: Iterable[str]) -> None:
        self._taken = {t.lower() for t in taken}

    def fresh(self, base: str) -> str:
        k = 1
        while f"{base}_part{k}".lower() in self._taken:
            k += 1
        name = f"{base}_part{k}"
        self._taken.add(name.lower())
        return name


def _term_weights(e: ir.Expr) -> list[int]:
    """The CASE weight of each term of a ``Sum``, or ``[case_weight(e)]`` for anything else."""
    return [case_weight(t) for t in e.terms] if isinstance(e, ir.Sum) else [case_weight(e)]


def _sum(terms: Sequence[ir.Expr]) -> ir.Expr:
    return terms[0] if len(terms) == 1 else ir.Sum(tuple(terms))


class _Splitter:
    def __init__(self, budget: int, names: _Names) -> None:
        self.budget = budget
        self.names = names
        self.out: list[Stage] = []
        self.materialized: set[int] = set()
        self.load = 0

    def cut(self) -> None:
        """Materialize the last emitted stage: the next stage starts a new pipeline."""
        if self.out and self.load > 0:
            self.materialized.add(len(self.out) - 1)
        self.load = 0

    def add(self, stage: Stage) -> None:
        # per column, the weight of each Sum term (or of the whole expression): every node is
        # walked once, however the stage is then split
        terms = [_term_weights(e) for _, e in stage.columns]
        weight = sum(sum(t) for t in terms)
        if self.load + weight > self.budget:
            self.cut()
        if weight <= self.budget:
            self.out.append(stage)
            self.load += weight
            return
        self.split(stage, terms)

    def split(self, stage: Stage, term_weights: list[list[int]]) -> None:
        current: list[tuple[str, ir.Expr]] = []

        def close() -> None:
            self.out.append(Stage(tuple(current), pinned=True))
            self.cut()
            current.clear()

        for (name, e), tws in zip(stage.columns, term_weights, strict=True):
            weight = sum(tws)
            if self.load + weight <= self.budget:
                current.append((name, e))
                self.load += weight
                continue
            if not (isinstance(e, ir.Sum) and len(e.terms) > 1):
                if current:
                    close()
                current.append((name, e))
                self.load += weight
                continue
            group: list[ir.Expr] = []
            for term, tw in zip(e.terms, tws, strict=True):
                if self.load + tw > self.budget and (group or current):
                    if group:
                        partial = self.names.fresh(name)
                        current.append((partial, _sum(group)))
                        group = [ir.Column(partial)]
                    close()
                group.append(term)
                self.load += tw
            current.append((name, _sum(group)))
        if current:
            self.out.append(Stage(tuple(current), pinned=stage.pinned))


def break_pipelines(stages: Sequence[Stage], budget: int, taken: Iterable[str]) -> tuple[list[Stage], set[int]]:
    """``stages`` regrouped so no pipeline holds more than ``budget`` CASE branches (where one
    expression alone is larger, it gets a pipeline of its own), and the indices of the stages to
    materialize. ``taken``: every column name in use (inputs, keep columns, stage columns)."""
    splitter = _Splitter(budget, _Names(taken))
    for stage in stages:
        splitter.add(stage)
    return splitter.out, splitter.materialized


def break_layout(layout: Layout, policy: DialectPolicy) -> Layout:
    """The pass: pipeline breaks where the dialect has a budget (``DialectPolicy.pipeline_budget``)."""
    if policy.pipeline_budget is None:
        return layout
    taken = [*layout.keep, *layout.inputs, *(n for n, _ in layout.columns())]
    stages, materialized = break_pipelines(layout.stages, policy.pipeline_budget, taken)
    return replace(layout, stages=tuple(stages), materialized=frozenset(materialized))
