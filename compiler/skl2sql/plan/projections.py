"""Pass, always last: what each CTE carries forward, and which inputs' NULL tests must see NaN.

Each stage projects exactly the columns still needed downstream (keep columns always), so a wide
input table costs nothing. The walk that finds the references also finds the input columns read
as numbers (``Cast(column, "number")``): where the dialect stores NaN, a bare ``IS NULL`` on one
of them (an imputer, a row guard) must treat a stored NaN as missing, as scikit-learn does.
"""

from __future__ import annotations

from dataclasses import replace

from .. import ir
from ..dialects import DialectPolicy
from .layout import Layout

__all__ = ["project", "nan_tested"]


def _references(e: ir.Expr, numeric: set[str]) -> set[str]:
    """Column names ``e`` reads; adds to ``numeric`` the columns it reads as numbers. One walk
    serves both, as large ensembles make walks costly."""
    names: set[str] = set()
    for n in ir.walk(e):
        if isinstance(n, ir.Column):
            names.add(n.name)
        elif isinstance(n, ir.Cast) and n.to == "number" and isinstance(n.item, ir.Column):
            numeric.add(n.item.name)
    return names


def _nan_tested(numeric: set[str], layout: Layout, policy: DialectPolicy) -> frozenset[str]:
    """None where the dialect stores no NaN."""
    return frozenset(numeric & set(layout.inputs)) if policy.nan_as_null is not None else frozenset()


def project(layout: Layout, policy: DialectPolicy) -> Layout:
    needed_later: list[set[str]] = []
    live: set[str] = set()
    numeric: set[str] = set()
    for _, e in layout.outputs:
        live |= _references(e, numeric)
    for stage in reversed(layout.stages):
        needed_later.append(set(live))
        for name, e in stage.columns:
            live.discard(name)
            live |= _references(e, numeric)
    needed_later.reverse()
    keep = list(dict.fromkeys(layout.keep))
    carry: list[tuple[str, ...]] = []
    available: list[str] = list(dict.fromkeys([*keep, *layout.inputs]))
    for i, stage in enumerate(layout.stages):
        passed = [c for c in available if c in needed_later[i] or c in keep]
        carry.append(tuple(passed))
        available = passed + [n for n, _ in stage.columns]
    return replace(layout, carry=tuple(carry), nan_tested=_nan_tested(numeric, layout, policy))


def nan_tested(layout: Layout, policy: DialectPolicy) -> Layout:
    """:func:`project` for bare expressions (no stages): only the NaN-tested inputs."""
    numeric: set[str] = set()
    for _, e in layout.outputs:
        _references(e, numeric)
    return replace(layout, nan_tested=_nan_tested(numeric, layout, policy))
