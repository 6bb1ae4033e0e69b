"""The state assemblers share while building one program: stages, fresh names, reads and refusals.

Assemblers never build SQL: they produce IR and ask the :class:`Context` to *materialize* values
that later steps read more than once (the planning passes inline every stage column that turns
out to be read once, so materializing generously costs nothing), to read input columns as
numbers, and to record what scikit-learn would refuse (:mod:`skl2sql.assemblers.refusals` turns
those records into NULL outputs once the outputs are known).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..ir import DOUBLE_MAX, Case, Cast, Column, Compare, Expr, is_trivial, lit
from ..program import Stage
from .interface import Feature, Prediction

__all__ = ["Context"]


@dataclass
class Context:
    """Shared state while assembling: the stages built so far and compile options.

    ``reserved`` holds names that stage columns must not shadow (input and keep columns); it is
    fixed when the context is made. ``finite`` collects the input columns read as numbers by an
    estimator that refuses infinity (see :meth:`number` and :func:`~skl2sql.assemblers.refusals.guard_finite`). ``refusals``
    collects the columns that must not be NULL for a row to be scored at all (see
    :meth:`refuse_missing` and :func:`~skl2sql.assemblers.refusals.guard_refusals`).
    """

    reserved: set[str] = field(default_factory=set)
    inputs: set[str] = field(default_factory=set)
    stages: list[Stage] = field(default_factory=list)
    finite: set[str] = field(default_factory=set)
    refusals: list[str] = field(default_factory=list)
    #: The overflow bound of the finite inputs, once :func:`~skl2sql.assemblers.refusals.guard_finite` has run.
    bound: float = DOUBLE_MAX
    _numbers: dict[str, str] = field(default_factory=dict)
    _number_stage: Stage | None = None
    _counter: int = 0
    _taken: frozenset[str] = field(init=False, default=frozenset())

    def __post_init__(self) -> None:
        self._taken = frozenset(r.lower() for r in self.reserved)

    def number(self, e: Expr, nan_is_missing: bool = True, finite: bool = True) -> Expr:
        """``e`` as a double. Input columns are cast once where they enter numeric work, so an
        INTEGER or DECIMAL column never meets integer division or overflow, and a stored NaN becomes
        NULL (sklearn's missing value; see :class:`~skl2sql.ir.Cast`); derived values are doubles
        already. ``nan_is_missing=False`` leaves a stored NaN as it is, for a consumer whose own
        guard already refuses it (the NaN test costs ~5% of a small model's time on DuckDB).

        ``finite``: the consumer refuses ±infinity, as sklearn's input validation does for nearly
        every estimator ("Input X contains infinity"): the column is recorded, and
        :func:`~skl2sql.assemblers.refusals.guard_finite` makes a row holding an infinity there NULL in every output. Pass
        ``False`` where infinity is a value (HistGradientBoosting, IsolationForest, LightGBM,
        XGBoost) or a guard of the consumer's own refuses it already (scikit-learn trees)."""
        if isinstance(e, Column) and e.name in self.inputs:
            if finite:
                self.finite.add(e.name)
                if nan_is_missing:
                    return self.number_column(e.name)
            return Cast(e, "number" if nan_is_missing else "double")
        return e

    def number_column(self, name: str) -> Column:
        """Input ``name`` read as a number, computed once in a pinned first stage: the estimator
        and the infinity guard (:func:`~skl2sql.assemblers.refusals.guard_finite`) read the same column, so the NaN test runs
        once per row (inlined into both, the guard cost a logistic model 40% on DuckDB)."""
        if name not in self._numbers:
            self._numbers[name] = self.fresh_name("n")
            stage = Stage(tuple((c, Cast(Column(n), "number", flush=True)) for n, c in self._numbers.items()), pinned=True)
            if self._number_stage is None:
                self.stages.insert(0, stage)  # it reads only inputs, so it may go first
            else:
                self.stages[self.stages.index(self._number_stage)] = stage
            self._number_stage = stage
        return Column(self._numbers[name])

    def number_reads(self) -> dict[str, str]:
        """Input column -> the pinned stage column reading it as a number (see :meth:`number`)."""
        return dict(self._numbers)

    def stages_number_reads(self) -> tuple[tuple[str, Expr], ...]:
        """The pinned stage of number reads: (stage column, expression) pairs."""
        return () if self._number_stage is None else self._number_stage.columns

    def redefine_number_reads(self, change: dict[str, Expr]) -> None:
        """Replace the expressions of some pinned number reads (by stage column name), in place:
        every reader already refers to them by name."""
        assert self._number_stage is not None
        cols = tuple((name, change.get(name, e)) for name, e in self._number_stage.columns)
        stage = Stage(cols, pinned=True)
        self.stages[self.stages.index(self._number_stage)] = stage
        self._number_stage = stage

    def refuse_missing(self, exprs: Sequence[Expr]) -> None:
        """A row where any of ``exprs`` is NULL is refused by the estimator reading them, as
        scikit-learn raises for the whole batch: every output of the model must be NULL there.

        Usually it already is (a NULL input makes a linear model's score NULL). It is not where
        a later step reads NULL as a missing value (an imputer, HistGradientBoosting, LightGBM),
        where a selector drops the column, or beside a passthrough column;
        :func:`~skl2sql.assemblers.refusals.guard_refusals` finds out once the outputs are known. Only columns (stage or input
        columns) are recorded: the analysis asks whether the outputs are NULL when a column they
        read is, and an expression the outputs do not read as a column would always look
        unguarded (a new column for it would put a guard on every such model for nothing)."""
        for e in exprs:
            if isinstance(e, Column) and e.name not in self.refusals:
                self.refusals.append(e.name)

    def refuse_unless(self, cond: Expr, exprs: Sequence[Expr], hint: str = "ok") -> list[Expr]:
        """:meth:`guard` for a condition whose failure makes scikit-learn refuse the whole row
        (raise, not a NaN cell): ``cond`` becomes a 1-or-NULL flag column, registered with
        :meth:`refuse_missing` so that the model's outputs are NULL too where the flag is."""
        flag = self.flag(cond, hint)
        self.refuse_missing([flag])
        return [Case(((Compare("=", flag, lit(1)), e),), None) for e in exprs]

    def guard(self, cond: Expr, exprs: Sequence[Expr], hint: str = "ok") -> list[Expr]:
        """Each of ``exprs`` as ``CASE WHEN cond THEN e END`` (NULL where ``cond`` is not true).
        With several, ``cond`` is computed once, as a 1-or-NULL flag column (a number, not a
        boolean: booleans in stage columns are typed differently across engines, and T-SQL has
        none), instead of being repeated in every output."""
        if len(exprs) > 1:
            cond = Compare("=", self.flag(cond, hint), lit(1))
        return [Case(((cond, e),), None) for e in exprs]

    def flag(self, cond: Expr, hint: str) -> Expr:
        """``cond`` as a 1-or-NULL column (a number, not a boolean: see :meth:`guard`)."""
        return self.materialize([Case(((cond, lit(1)),), None)], hint)[0]

    def fresh_name(self, hint: str = "v") -> str:
        """A new column name ``_<n>_<hint>``: short, because a tree ensemble repeats its input
        names in every comparison (``"__s2s_12_x"`` made a 500-tree model's SQL 15% larger), and
        unique against the input and keep columns even where identifiers are case-insensitive
        (MySQL, SQLite)."""
        base = re.sub(r"[^A-Za-z0-9_]", "_", hint)[:24] or "v"
        while True:
            self._counter += 1
            name = f"_{self._counter}_{base}"
            if name.lower() not in self._taken:
                return name

    def materialize(self, exprs: Sequence[Expr], hint: str = "v", pin: bool = False) -> list[Expr]:
        """Put non-trivial expressions into a new stage and return column references to them.

        Call this whenever a value is about to be referenced more than once (a score used by both
        the label and the probabilities, pipeline step outputs, ...). ``pin=True`` keeps the stage
        a CTE even if its columns end up used once (see :class:`Stage`)."""
        cols: list[tuple[str, Expr]] = []
        out: list[Expr] = []
        for e in exprs:
            if is_trivial(e):
                out.append(e)
                continue
            name = self.fresh_name(hint)
            cols.append((name, e))
            out.append(Column(name))
        if cols:
            self.stages.append(Stage(tuple(cols), pinned=pin))
        return out

    def materialize_features(self, features: Sequence[Feature], hint: str = "f") -> list[Feature]:
        exprs = self.materialize([f.expr for f in features], hint)
        return [Feature(e, f.name) for e, f in zip(exprs, features, strict=True)]

    def materialize_prediction(self, p: Prediction) -> Prediction:
        """Materialize every part of a prediction, for consumers that read it several times."""
        return p.with_parts(self.materialize(p.parts(), "p"))
