"""A compiled model as a straight-line program of stages: what the planning passes and the evaluator read.

A :class:`Program` reads input columns, computes a sequence of stages (each one a CTE in SQL; a
stage may use columns of any earlier stage) and ends in named outputs. Assemblers build it through
:class:`skl2sql.assemblers.context.Context`; the planning passes (:mod:`skl2sql.plan`) decide
which stage columns stay CTE columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from .ir import Expr, walk

__all__ = ["Stage", "Program"]


@dataclass(frozen=True)
class Stage:
    """One CTE. ``pinned`` stages are kept as they are, even columns used once or trivial: large
    tree ensembles pin their running sums so the SQL stays a chain of moderate sub-selects instead
    of one giant expression (which engines plan slowly and may refuse for depth), and pin their
    input casts so thousands of comparisons read a column instead of repeating a CAST."""

    columns: tuple[tuple[str, Expr], ...]
    pinned: bool = False


@dataclass(frozen=True)
class Program:
    """Inputs, stages and outputs of one compiled model.

    ``inputs`` are the input relation's column names the model reads (in feature order).
    """

    inputs: tuple[str, ...]
    stages: tuple[Stage, ...]
    outputs: tuple[tuple[str, Expr], ...]

    def size(self) -> int:
        """IR nodes of every stage column and output, each counted once (as the SELECT has them)."""
        exprs = [e for st in self.stages for _, e in st.columns] + [e for _, e in self.outputs]
        return sum(len(walk(e)) for e in exprs)
