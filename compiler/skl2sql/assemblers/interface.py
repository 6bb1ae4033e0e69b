"""What an assembler takes and returns: :class:`Feature` columns in, a :class:`Prediction` or features out.

An assembler is ``fn(estimator, features, ctx) -> Prediction | list[Feature]`` (registered in
:mod:`skl2sql.assemblers.registry`); composite assemblers (pipelines, voting, stacking,
one-vs-rest) consume what their steps return. Also here: how class labels become column
suffixes and literals, which every classifier shares.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..ir import Expr, lit

__all__ = ["Feature", "Prediction", "several", "safe_suffix", "class_suffixes", "label_literal"]


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
