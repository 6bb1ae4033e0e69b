"""Long sums in the order the IR (and scikit-learn) adds them.

Floating-point addition is not associative: with cancellation (a linear-kernel SVC's 70 kernel
terms of 1e6 summing to 0.42) a sum regrouped as ``(t1 + ... + t32) + (t33 + ...)`` differed from
the left-to-right sum in the ninth digit (found by the differential fuzzer). SQL engines parse
``a + b + c`` as ``(a + b) + c``, so a sum written as one left-deep chain adds exactly as the IR
evaluator and NumPy's sequential loops do. Chains cannot be arbitrarily long: MariaDB overran its
thread stack at about 600 nested additions, DuckDB and SQLite stop at an expression depth of
1,000. So a sum of more than :data:`SEQUENTIAL_SUM` terms is split here into running partial
sums, one pinned stage column each (``p2 = p1 + t257 + ... + t512``): the same additions, in the
same order, at any length.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..ir import Column, Expr, Sum, children, fold, rebuild

__all__ = ["SEQUENTIAL_SUM", "split_long_sums"]

#: Terms written as one left-deep chain of additions (MariaDB's default thread stack held 300).
SEQUENTIAL_SUM = 256


def split_long_sums(
    stages: Sequence[tuple[tuple[tuple[str, Expr], ...], bool]],
    outputs: Sequence[tuple[str, Expr]],
    fresh_name: Callable[[str], str],
) -> tuple[list[tuple[tuple[tuple[str, Expr], ...], bool]], list[tuple[str, Expr]]]:
    """``stages`` (columns, pinned) and ``outputs`` with every sum of more than
    :data:`SEQUENTIAL_SUM` terms replaced by a column holding its running total, computed in new
    pinned stages placed just before the stage (or the outputs) that reads it."""
    out: list[tuple[tuple[tuple[str, Expr], ...], bool]] = []
    for columns, pinned in stages:
        chain: list[tuple[tuple[str, Expr], ...]] = []
        memo: dict[int, Expr] = {}
        rewritten = tuple((n, _rewrite(e, chain, memo, fresh_name)) for n, e in columns)
        out.extend((c, True) for c in chain)
        out.append((rewritten, pinned))
    chain = []
    memo = {}
    final = [(n, _rewrite(e, chain, memo, fresh_name)) for n, e in outputs]
    out.extend((c, True) for c in chain)
    return out, final


def _rewrite(root: Expr, chain: list[tuple[tuple[str, Expr], ...]], memo: dict[int, Expr],
             fresh_name: Callable[[str], str]) -> Expr:
    """``root`` with long sums replaced (:func:`skl2sql.ir.fold`)."""

    def visit(e: Expr, rewritten: list[Expr]) -> Expr:
        kids = children(e)
        node = e if all(a is b for a, b in zip(rewritten, kids, strict=True)) else rebuild(e, tuple(rewritten))
        if isinstance(node, Sum) and len(node.terms) > SEQUENTIAL_SUM:
            total: Expr | None = None
            for start in range(0, len(node.terms), SEQUENTIAL_SUM):
                part = node.terms[start : start + SEQUENTIAL_SUM]
                name = fresh_name("psum")
                chain.append(((name, Sum((total, *part)) if total is not None else Sum(part)),))
                total = Column(name)
            assert total is not None
            node = total
        return node

    return fold(root, memo, visit)
