"""A compiled model as a straight-line program of stages.

A :class:`Program` reads input columns, computes a sequence of stages (each one a CTE in SQL; a
stage may use columns of any earlier stage) and ends in named outputs. Assemblers never build SQL:
they produce IR and ask the :class:`Context` to *materialize* values that later steps use more
than once. The lowering later inlines every stage column that turns out to be used only once, so
materializing generously costs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .ir import DOUBLE_MAX, And, Case, Cast, Column, Compare, Expr, IsNull, Not, Or, is_trivial, lit, walk
from .null_strict import null_strict_columns
from .overflow_bound import overflow_bound

__all__ = [
    "Feature",
    "Prediction",
    "several",
    "Stage",
    "Program",
    "Context",
    "safe_suffix",
    "class_suffixes",
    "label_literal",
    "inside_doubles",
]


@dataclass(frozen=True)
class Feature:
    """One column flowing between pipeline steps: its expression and its sklearn feature name."""

    expr: Expr
    name: str


@dataclass(frozen=True)
class Prediction:
    """What a predictor assembler returns; composite assemblers (voting, stacking, one-vs-rest,
    pipelines) consume these, and :mod:`skl2sql.api` turns them into output columns.

    ``value``: regression value, the label for classifiers, ``predict`` for outlier detectors
    (1/-1) and clusterers (the cluster index).
    ``proba``: one expression per class (``classes`` order) when the estimator has predict_proba.
    ``decision``: decision_function columns (1 for binary, one per class otherwise).
    ``extra``: further named outputs (e.g. ``score_samples`` of an outlier detector).
    ``targets``: for kind ``multioutput`` (several targets, as MultiOutputRegressor), one
    single-target prediction per target in sklearn's column order; ``value`` is then the first
    target's and nothing reads it.
    """

    kind: Literal["regressor", "classifier", "outlier", "cluster", "multioutput"]
    value: Expr
    classes: tuple[Any, ...] | None = None
    proba: tuple[Expr, ...] | None = None
    decision: tuple[Expr, ...] | None = None
    extra: tuple[tuple[str, Expr], ...] = ()
    targets: tuple[Prediction, ...] = ()

    def parts(self) -> list[Expr]:
        """Every output expression (of every target), in the order :meth:`with_parts` reads."""
        if self.targets:
            return [e for t in self.targets for e in t.parts()]
        return [self.value, *(self.proba or ()), *(self.decision or ()), *(e for _, e in self.extra)]

    def with_parts(self, parts: Iterable[Expr]) -> Prediction:
        """The same prediction with its parts replaced, in :meth:`parts` order (guarded or
        materialized versions of them)."""
        it = iter(parts)
        return self._rebuild(it)

    def _rebuild(self, it: Iterator[Expr]) -> Prediction:
        if self.targets:
            return several([t._rebuild(it) for t in self.targets])
        value = next(it)
        proba = None if self.proba is None else tuple(next(it) for _ in self.proba)
        decision = None if self.decision is None else tuple(next(it) for _ in self.decision)
        extra = tuple((k, next(it)) for k, _ in self.extra)
        return Prediction(self.kind, value, self.classes, proba, decision, extra)


def several(targets: Sequence[Prediction]) -> Prediction:
    """One target's prediction, or a ``multioutput`` one holding each target's (value: the
    first target's, which nothing reads)."""
    if len(targets) == 1:
        return targets[0]
    return Prediction("multioutput", targets[0].value, targets=tuple(targets))


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


def inside_doubles(x: Expr, bound: float = DOUBLE_MAX) -> Expr:
    """``x`` is a finite number within ``[-bound, bound]``: false for ±infinity and for NaN (NaN
    compares false, or above every number where NaN = NaN), unknown for NULL."""
    return And((Compare(">=", x, lit(-bound)), Compare("<=", x, lit(bound))))


@dataclass
class Context:
    """Shared state while assembling: the stages built so far and compile options.

    ``reserved`` holds names that stage columns must not shadow (input and keep columns); it is
    fixed when the context is made. ``finite`` collects the input columns read as numbers by an
    estimator that refuses infinity (see :meth:`number` and :meth:`guard_finite`). ``refusals``
    collects the columns that must not be NULL for a row to be scored at all (see
    :meth:`refuse_missing` and :meth:`guard_refusals`).
    """

    reserved: set[str] = field(default_factory=set)
    inputs: set[str] = field(default_factory=set)
    stages: list[Stage] = field(default_factory=list)
    finite: set[str] = field(default_factory=set)
    refusals: list[str] = field(default_factory=list)
    #: The overflow bound of the finite inputs, once :meth:`guard_finite` has run.
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
        :meth:`guard_finite` makes a row holding an infinity there NULL in every output. Pass
        ``False`` where infinity is a value (HistGradientBoosting, IsolationForest, LightGBM,
        XGBoost) or a guard of the consumer's own refuses it already (scikit-learn trees)."""
        if isinstance(e, Column) and e.name in self.inputs:
            if finite:
                self.finite.add(e.name)
                if nan_is_missing:
                    return self._number_column(e.name)
            return Cast(e, "number" if nan_is_missing else "double")
        return e

    def _number_column(self, name: str) -> Column:
        """Input ``name`` read as a number, computed once in a pinned first stage: the estimator
        and the infinity guard (:meth:`guard_finite`) read the same column, so the NaN test runs
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

    def guard_finite(self, outputs: Sequence[tuple[str, Expr]]) -> list[tuple[str, Expr]]:
        """``outputs`` NULL for rows where a column in :attr:`finite` holds ±infinity (sklearn
        raises for them; a stored NaN is already NULL there, and missing values are each
        estimator's business), or a magnitude beyond the program's overflow bound
        (:func:`skl2sql.overflow_bound.overflow_bound`: inside it no intermediate value can
        leave the double range, which PostgreSQL and MariaDB raise on and DuckDB and SQLite turn
        into inf and NaN).

        Where every output is NULL when the input is (a model without an imputer in front,
        :mod:`skl2sql.null_strict`), the input is read as NULL unless within the bound: one range
        check in place of the NaN test, no flag. The other inputs share one 1-or-NULL flag
        column, tested on the input as stored; their reads are NULL beyond the bound too, so
        that no step computes with them before the flag refuses the row."""
        if not self.finite:
            return list(outputs)
        for name in sorted(self.finite):
            self._number_column(name)  # every finite input read once, in the pinned stage
        pinned = [self._numbers[n] for n in sorted(self.finite)]
        stages = [st.columns for st in self.stages]
        exprs = [e for _, e in outputs]
        bound = overflow_bound(stages, exprs, [*sorted(self.finite), *pinned])
        self.bound = bound
        strict = null_strict_columns(stages, exprs, pinned)
        loose = set(pinned) - strict if bound < DOUBLE_MAX else set()
        if strict or loose:
            self._read_finite(strict | loose, bound)
        conds: list[Expr] = []
        for name in sorted(self.finite):
            x = self._numbers[name]
            if x in strict:
                continue
            raw: Expr = Cast(Column(name), "number") if x in loose else Column(x)
            conds.append(Or((IsNull(raw), inside_doubles(raw, bound))))
        if not conds:
            return list(outputs)
        cond: Expr = And(tuple(conds)) if len(conds) > 1 else conds[0]
        guarded = self.guard(cond, exprs, "finite")
        return [(n, e) for (n, _), e in zip(outputs, guarded, strict=True)]

    def _read_finite(self, columns: set[str], bound: float) -> None:
        """Redefine the pinned input reads named in ``columns`` as NULL unless within ``bound``
        (the range check is false for NaN as well, so it replaces the NaN test)."""
        assert self._number_stage is not None
        cols = []
        for name, e in self._number_stage.columns:
            if name in columns:
                assert isinstance(e, Cast) and isinstance(e.item, Column)
                # only the value read is flushed: the range check reads the value as stored
                e = Case(((inside_doubles(Cast(e.item, "double"), bound), Cast(e.item, "double", flush=True)),), None)
            cols.append((name, e))
        stage = Stage(tuple(cols), pinned=True)
        self.stages[self.stages.index(self._number_stage)] = stage
        self._number_stage = stage

    def refuse_missing(self, exprs: Sequence[Expr]) -> None:
        """A row where any of ``exprs`` is NULL is refused by the estimator reading them, as
        scikit-learn raises for the whole batch: every output of the model must be NULL there.

        Usually it already is (a NULL input makes a linear model's score NULL). It is not where
        a later step reads NULL as a missing value (an imputer, HistGradientBoosting, LightGBM),
        where a selector drops the column, or beside a passthrough column;
        :meth:`guard_refusals` finds out once the outputs are known. Only columns (stage or input
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
        flag = self._flag(cond, hint)
        self.refuse_missing([flag])
        return [Case(((Compare("=", flag, lit(1)), e),), None) for e in exprs]

    def guard_refusals(self, outputs: Sequence[tuple[str, Expr]]) -> list[tuple[str, Expr]]:
        """``outputs`` NULL where a column registered with :meth:`refuse_missing` is NULL. Columns
        that already make every output NULL (:mod:`skl2sql.null_strict`; most models) cost
        nothing; the others share one 1-or-NULL flag."""
        if not self.refusals:
            return list(outputs)
        stages = [st.columns for st in self.stages]
        strict = null_strict_columns(stages, [e for _, e in outputs], self.refusals)
        loose = [c for c in self.refusals if c not in strict]
        if not loose:
            return list(outputs)
        conds = tuple(Not(IsNull(Column(c))) for c in loose)
        flag = self._flag(And(conds) if len(conds) > 1 else conds[0], "scored")
        return [(n, Case(((Compare("=", flag, lit(1)), e),), None)) for n, e in outputs]

    def guard(self, cond: Expr, exprs: Sequence[Expr], hint: str = "ok") -> list[Expr]:
        """Each of ``exprs`` as ``CASE WHEN cond THEN e END`` (NULL where ``cond`` is not true).
        With several, ``cond`` is computed once, as a 1-or-NULL flag column (a number, not a
        boolean: booleans in stage columns are typed differently across engines, and T-SQL has
        none), instead of being repeated in every output."""
        if len(exprs) > 1:
            cond = Compare("=", self._flag(cond, hint), lit(1))
        return [Case(((cond, e),), None) for e in exprs]

    def _flag(self, cond: Expr, hint: str) -> Expr:
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


def safe_suffix(value: Any) -> str:
    """A class label as a column-name suffix: ASCII letters, digits and underscores only."""
    text = str(value.item() if hasattr(value, "item") else value)
    text = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")
    return text or "class"


def class_suffixes(classes: Sequence[Any]) -> list[str]:
    """Unique, safe suffixes for class labels, in class order (duplicates get ``_2``, ``_3``...)."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for c in classes:
        s = safe_suffix(c)
        if s in seen:
            seen[s] += 1
            s2 = f"{s}_{seen[s]}"
            while s2 in seen:
                seen[s] += 1
                s2 = f"{s}_{seen[s]}"
            s = s2
        seen.setdefault(s, 1)
        out.append(s)
    return out


def label_literal(value: Any) -> Expr:
    """A class label as a literal (numpy scalars become Python scalars)."""
    return lit(value.item() if hasattr(value, "item") else value)
