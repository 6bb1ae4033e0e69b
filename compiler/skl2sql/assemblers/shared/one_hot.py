"""Folding a linear model's weights on one-hot indicators into one CASE per encoded column.

The one-hot encoder (``scikit_learn/encoders.py``) writes a category code per input column
(``CASE WHEN x = 'a' THEN 0 WHEN x = 'b' THEN 1 ... ELSE -1 END``, a stage column) and one
indicator per output (:func:`indicator`: ``CASE WHEN code = k THEN 1.0 ELSE 0.0 END``). A linear
model over them would add one ``w * indicator`` term per category; :class:`OneHotFolding`
recognises the indicators of one code column among a linear model's inputs and writes their
weights as a single lookup instead, put straight into the code CASE's branches. Both sides of
that contract live here: the shape recognised is the shape :func:`indicator` builds (any other
producer of the same shape folds the same way, which is exact for it too). Exact: ``w * 1`` is
``w`` and the ``w * 0`` terms add zeros; one CASE per column instead of one per category
(measured ~1.7x faster on DuckDB).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...ir import Case, Column, Compare, Expr, Literal, lit, mul
from ..context import Context

__all__ = ["indicator", "OneHotFolding"]


def indicator(code: Expr, k: int) -> Expr:
    """1.0 where the category code is ``k``, else 0.0 (NULL code: 0.0, the ELSE)."""
    return Case(((Compare("=", code, lit(k)), lit(1.0)),), lit(0.0))


def indicators(xs: Sequence[Expr], ctx: Context) -> list[tuple[str, Literal] | None]:
    """For each feature that is a one-hot indicator ``CASE WHEN code = k THEN 1 ELSE 0 END``
    (directly or as a stage column), the code column and ``k``; else None."""
    defs = {name: e for stage in ctx.stages if not stage.pinned for name, e in stage.columns}
    out: list[tuple[str, Literal] | None] = []
    for x in xs:
        e = defs.get(x.name, x) if isinstance(x, Column) else x
        hit: tuple[str, Literal] | None = None
        if isinstance(e, Case) and len(e.whens) == 1 and e.default is not None:
            cond, value = e.whens[0]
            if (
                isinstance(value, Literal) and type(value.value) is float and value.value == 1.0
                and isinstance(e.default, Literal) and type(e.default.value) is float and e.default.value == 0.0
                and isinstance(cond, Compare) and cond.op == "="
                and isinstance(cond.left, Column) and isinstance(cond.right, Literal)
            ):
                hit = (cond.left.name, cond.right)
        out.append(hit)
    return out


def code_cases(ctx: Context) -> dict[str, Case]:
    """Stage columns defined as a category-code CASE: every value and the default (if any) an
    integer literal, as the one-hot encoder writes them (``CASE WHEN x = 'a' THEN 0 ... ELSE -1``)."""
    def is_int(e: Expr | None) -> bool:
        return isinstance(e, Literal) and type(e.value) is int

    out: dict[str, Case] = {}
    for stage in ctx.stages:
        if stage.pinned:
            continue
        for name, e in stage.columns:
            if isinstance(e, Case) and all(is_int(v) for _, v in e.whens) and (e.default is None or is_int(e.default)):
                out[name] = e
    return out


def _lookup(code: str, weights: Sequence[tuple[Literal, float]], code_cases: dict[str, Case]) -> Expr:
    """The weight of each category code of column ``code`` (0 for the others).

    When the code is itself a CASE over the raw input (the one-hot encoder's), the weights are
    put straight into that CASE's branches: one CASE on the raw column, not a CASE computing the
    code and another one reading it (measured 0.082 s -> 0.060 s per million rows on DuckDB for
    two columns of 6 and 20 categories). Exact: the same branch is taken, so the same weight is
    added. The encoder's conditions are mutually exclusive, so a branch whose weight equals the
    ELSE can be dropped."""
    by_code = {k.value: w for k, w in weights}
    source = code_cases.get(code)
    if source is None:
        return Case(tuple((Compare("=", Column(code), k), lit(w)) for k, w in weights), lit(0.0))
    default = lit(by_code.get(source.default.value, 0.0)) if isinstance(source.default, Literal) else lit(0.0)
    whens = []
    for cond, value in source.whens:
        assert isinstance(value, Literal)
        w = lit(by_code.get(value.value, 0.0))
        if w != default:
            whens.append((cond, w))
    return Case(tuple(whens), default) if whens else default


class OneHotFolding:
    """The one-hot indicators among a linear model's inputs ``xs``, read once, and the terms of
    each row of weights with them folded."""

    def __init__(self, xs: Sequence[Expr], ctx: Context) -> None:
        self.xs = list(xs)
        self.indicators = indicators(xs, ctx)
        self.code_cases = code_cases(ctx)

    def weighted_terms(self, row: np.ndarray) -> list[Expr]:
        """``w_j * x_j`` for the non-zero weights, in feature order, except that the one-hot
        indicators of one code column become a single lookup (:func:`_lookup`) at the place of
        the first."""
        groups: dict[str, list[tuple[Literal, float]]] = {}
        for j, w in enumerate(row):
            ind = self.indicators[j]
            if w != 0.0 and ind is not None:
                groups.setdefault(ind[0], []).append((ind[1], float(w)))
        lookup = {
            name: g for name, g in groups.items() if len(g) > 1 and len({repr(k.value) for k, _ in g}) == len(g)
        }
        terms: list[Expr] = []
        placed: set[str] = set()
        for j, w in enumerate(row):
            if w == 0.0:
                continue
            ind = self.indicators[j]
            if ind is not None and ind[0] in lookup:
                if ind[0] not in placed:
                    placed.add(ind[0])
                    terms.append(_lookup(ind[0], lookup[ind[0]], self.code_cases))
                continue
            terms.append(mul(lit(float(w)), self.xs[j]))
        return terms
