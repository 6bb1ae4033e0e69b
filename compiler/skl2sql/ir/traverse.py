"""Walking and rewriting IR, written once for every node type.

``children`` and ``rebuild`` are made per node type from the child fields each node declares
(:data:`skl2sql.ir.nodes.CHILD_FIELDS`); everything else here (``walk``, ``fold``,
``substitute``, ``resolve_lookups``) is built on those two, iteratively, because tree ensembles
nest deeper than Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from operator import attrgetter, is_
from typing import Any, TypeVar

from ..errors import Skl2SqlError
from .nodes import CHILD_FIELDS, NODE_TYPES, ArrayForm, Column, Expr, Lookup

__all__ = ["children", "rebuild", "walk", "fold", "substitute", "resolve_lookups", "rewritten"]

T = TypeVar("T")


def _children_of(shapes: tuple[tuple[str, str], ...]) -> Callable[[Any], tuple[Expr, ...]]:
    """The children getter of a node type with these child fields, fast for the common shapes."""
    if not shapes:
        return lambda e: ()
    names = [name for name, _ in shapes]
    if all(kind == "one" for _, kind in shapes):
        if len(names) == 1:
            name = names[0]
            return lambda e: (getattr(e, name),)
        return attrgetter(*names)  # a tuple of the fields
    if len(shapes) == 1 and shapes[0][1] == "many":
        return attrgetter(names[0])

    def get(e: Any) -> tuple[Expr, ...]:
        out: list[Expr] = []
        for name, kind in shapes:
            v = getattr(e, name)
            if kind == "one":
                out.append(v)
            elif kind == "optional":
                if v is not None:
                    out.append(v)
            elif kind == "many":
                out.extend(v)
            else:  # pairs
                for a, b in v:
                    out.append(a)
                    out.append(b)
        return tuple(out)

    return get


def _rebuilder_of(cls: type, shapes: tuple[tuple[str, str], ...]) -> Callable[[Any, tuple[Expr, ...]], Expr]:
    """The rebuild function of a node type: the same node with its children taken from ``kids``
    (in ``children`` order) and its data fields kept."""
    if not shapes:
        return lambda e, kids: e
    child_names = {name for name, _ in shapes}
    data = [f for f in cls.__dataclass_fields__ if f not in child_names]  # type: ignore[attr-defined]

    def build(e: Any, kids: tuple[Expr, ...]) -> Expr:
        it = iter(kids)
        values: dict[str, Any] = {f: getattr(e, f) for f in data}
        for name, kind in shapes:
            old = getattr(e, name)
            if kind == "one":
                values[name] = next(it)
            elif kind == "optional":
                values[name] = None if old is None else next(it)
            elif kind == "many":
                values[name] = tuple(islice(it, len(old)))
            else:  # pairs
                values[name] = tuple((next(it), next(it)) for _ in old)
        return cls(**values)  # type: ignore[no-any-return]

    return build


_CHILDREN: dict[type, Callable[[Any], tuple[Expr, ...]]] = {t: _children_of(CHILD_FIELDS[t]) for t in NODE_TYPES}
_REBUILD: dict[type, Callable[[Any, tuple[Expr, ...]], Expr]] = {
    t: _rebuilder_of(t, CHILD_FIELDS[t]) for t in NODE_TYPES
}


def children(e: Expr) -> tuple[Expr, ...]:
    """The child expressions of ``e``, in declaration order (a Case's whens as condition, value)."""
    try:
        get = _CHILDREN[type(e)]
    except KeyError:
        raise TypeError(f"not an IR node: {e!r}") from None
    return get(e)


def rebuild(e: Expr, kids: tuple[Expr, ...]) -> Expr:
    """``e`` with its children replaced, in :func:`children` order."""
    try:
        build = _REBUILD[type(e)]
    except KeyError:
        raise TypeError(f"cannot rebuild {type(e).__name__}") from None
    return build(e, kids)


def rewritten(e: Expr, kids: list[Expr]) -> Expr:
    """``e`` itself when ``kids`` are its children (the same objects), else rebuilt from them:
    a rewrite that changes nothing below a node keeps the node, and its sharing."""
    old = children(e)
    if len(old) == len(kids) and all(map(is_, kids, old)):
        return e
    return rebuild(e, tuple(kids))


def fold(
    root: Expr,
    memo: dict[int, T],
    visit: Callable[[Expr, list[T]], T],
    kids_of: Callable[[Expr], tuple[Expr, ...]] = children,
) -> T:
    """Bottom-up over the expression DAG of ``root``: ``visit(node, values of its children)``,
    each node once (``memo`` holds values by node identity: assemblers share subexpressions, and
    a memo shared between calls shares work between them), iteratively (tree ensembles nest
    deeper than Python's recursion limit). ``kids_of``: the children to visit first, when a
    rewrite reads only some of them (see :func:`resolve_lookups`)."""
    stack: list[tuple[Expr, bool]] = [(root, False)]
    while stack:
        e, ready = stack.pop()
        if id(e) in memo:
            continue
        kids = kids_of(e)
        if not ready and kids:
            stack.append((e, True))
            stack.extend((k, False) for k in kids if id(k) not in memo)
            continue
        memo[id(e)] = visit(e, [memo[id(k)] for k in kids])
    return memo[id(root)]


def walk(e: Expr) -> list[Expr]:
    """All nodes of ``e``, a shared node once per place it is read (iteratively)."""
    out: list[Expr] = []
    stack = [e]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(children(n))
    return out


def substitute(e: Expr, mapping: dict[str, Expr]) -> Expr:
    """Replace column references by expressions (used to inline stages)."""

    def visit(n: Expr, kids: list[Expr]) -> Expr:
        if type(n) is Column:
            return mapping.get(n.name, n)
        return rewritten(n, kids) if kids else n

    return fold(e, {}, visit)


def resolve_lookups(e: Expr, arrays: bool) -> Expr:
    """``e`` with every :class:`Lookup` made final for a dialect: kept, without its fallback,
    when ``arrays`` (the dialect indexes array literals), else replaced by its fallback (which
    then must exist); every :class:`ArrayForm` by its array or its plain form. Subtrees without
    either are returned as they are, not copied; the form not taken is not visited."""

    def kids_of(n: Expr) -> tuple[Expr, ...]:
        if type(n) is Lookup:
            if arrays:
                return (n.index,)
            if n.fallback is None:
                raise Skl2SqlError("internal: a Lookup without a fallback cannot be written without arrays")
            return (n.fallback,)
        if type(n) is ArrayForm:
            return (n.value if arrays else n.plain,)
        return children(n)

    def visit(n: Expr, kids: list[Expr]) -> Expr:
        if type(n) is Lookup:
            if not arrays:
                return kids[0]
            return n if n.fallback is None and kids[0] is n.index else Lookup(kids[0], n.values, None)
        if type(n) is ArrayForm:
            return kids[0]
        return rewritten(n, kids) if kids else n

    return fold(e, {}, visit, kids_of)
