"""The dialect-neutral intermediate representation (IR).

Every assembler turns a fitted estimator into IR expressions; the lowering
(:mod:`skl2sql.lowering`) turns IR into sqlglot trees; the evaluator (:mod:`skl2sql.ir.evaluate`)
runs the same IR in NumPy, which is what makes the three-way check (estimator = IR = SQL) cheap.

- :mod:`~skl2sql.ir.nodes`: the node types; each declares its children by its fields' types.
- :mod:`~skl2sql.ir.build`: the builders assemblers write with (``lit``, ``total``, ``sigmoid``...).
- :mod:`~skl2sql.ir.traverse`: ``children``, ``rebuild``, ``walk``, ``fold``, ``substitute``,
  written once for every node type.

A new node: its dataclass and its name in ``Expr`` (nodes.py), one evaluator function
(evaluate.py) and one lowering function (lowering.py), each registered by node type.
"""

from __future__ import annotations

from .build import (
    DOUBLE_MAX,
    EXP_FLOOR,
    EXP_MAX,
    add,
    argmax,
    case,
    clip,
    col,
    div,
    greatest,
    is_trivial,
    lit,
    mul,
    safe_exp,
    sigmoid,
    softmax,
    sub,
    tanh,
    total,
)
from .nodes import (
    CHILD_FIELDS,
    FUNCTIONS,
    NODE_TYPES,
    And,
    Arith,
    ArithOp,
    ArrayForm,
    Case,
    Cast,
    CastType,
    Column,
    Compare,
    CompareOp,
    Expr,
    Func,
    InList,
    IsNull,
    Literal,
    LiteralValue,
    Lookup,
    Not,
    Or,
    Sum,
)
from .traverse import children, fold, rebuild, resolve_lookups, rewritten, substitute, walk

__all__ = [
    "Expr", "Column", "Literal", "Arith", "Sum", "Func", "Compare", "And", "Or", "Not", "IsNull",
    "Case", "InList", "Cast", "Lookup", "ArrayForm", "NODE_TYPES", "CHILD_FIELDS", "FUNCTIONS",
    "ArithOp", "CompareOp", "CastType", "LiteralValue",
    "lit", "col", "add", "sub", "mul", "div", "total", "case", "clip", "safe_exp", "sigmoid", "tanh",
    "softmax", "greatest", "argmax", "is_trivial", "DOUBLE_MAX", "EXP_MAX", "EXP_FLOOR",
    "children", "rebuild", "rewritten", "walk", "fold", "substitute", "resolve_lookups",
]
