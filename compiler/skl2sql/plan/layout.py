"""What the planning passes read and write: a :class:`Layout` of the SELECT to be written.

A layout starts as the program's stages and outputs (every stage a CTE, every column computed),
and each pass of :data:`skl2sql.plan.SELECT_PASSES` returns a new one: columns inlined where they
are read, stages regrouped, some marked to materialize, and finally what each CTE carries
forward. The lowering writes a finished layout as it is and decides nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..dialects import DialectPolicy
from ..ir import Expr
from ..program import Program, Stage

__all__ = ["Layout", "Pass"]


@dataclass(frozen=True)
class Layout:
    """The SELECT of a program for one dialect, as the passes have shaped it so far.

    ``inputs``: the input columns the model reads; ``keep``: columns passed through first.
    ``stages``: one CTE each, in order; ``outputs``: the final projection.
    ``materialized``: indices of stages written ``AS MATERIALIZED`` (pipeline breaks).
    ``carry``: per stage, the earlier columns it passes through (set by the projections pass;
    empty until then). ``nan_tested``: input columns read as numbers, whose bare ``IS NULL`` must
    also see a stored NaN as missing.
    """

    inputs: tuple[str, ...]
    keep: tuple[str, ...]
    stages: tuple[Stage, ...]
    outputs: tuple[tuple[str, Expr], ...]
    materialized: frozenset[int] = frozenset()
    carry: tuple[tuple[str, ...], ...] = ()
    nan_tested: frozenset[str] = frozenset()

    @classmethod
    def of(cls, program: Program, keep: tuple[str, ...] = ()) -> Layout:
        return cls(program.inputs, keep, program.stages, program.outputs)

    def columns(self) -> list[tuple[str, Expr]]:
        """Every stage column, in stage order."""
        return [c for st in self.stages for c in st.columns]


#: A planning pass: a layout in, a layout out, for one dialect's policy.
Pass = Callable[[Layout, DialectPolicy], Layout]
