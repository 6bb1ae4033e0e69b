"""The IR's node types: frozen dataclasses whose expression-typed fields are their children.

A node declares its children once, by the types of its fields: a field annotated ``Expr`` is one
child, ``tuple[Expr, ...]`` (or ``tuple[Literal, ...]``) a run of children, ``Expr | None`` an
optional child and ``tuple[tuple[Expr, Expr], ...]`` a run of pairs (``Case.whens``). Every
other field (an operator, a name, constants) is data. :mod:`skl2sql.ir.traverse` derives
``children`` and ``rebuild`` from these declarations, so walking, folding and substituting are
written once for every node.

Semantics follow SQL, not NumPy: ``NULL`` propagates through arithmetic and functions, a
comparison with ``NULL`` is unknown, and ``Case`` takes the first branch whose condition is *true*
(unknown is not true). The evaluator (:mod:`skl2sql.ir.evaluate`) reproduces exactly this.

Nodes are compared structurally but never hashed in hot paths (a large tree ensemble is a deep
tree of nodes and structural hashing would be quadratic).
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, fields
from typing import Literal as TypingLiteral

from ..errors import Skl2SqlError

__all__ = [
    "Expr",
    "Column",
    "Literal",
    "Arith",
    "Sum",
    "Func",
    "Compare",
    "And",
    "Or",
    "Not",
    "IsNull",
    "Case",
    "InList",
    "Cast",
    "Lookup",
    "ArrayForm",
    "NODE_TYPES",
    "CHILD_FIELDS",
    "FUNCTIONS",
    "ArithOp",
    "CompareOp",
    "CastType",
    "LiteralValue",
]

ArithOp = TypingLiteral["+", "-", "*", "/"]
CompareOp = TypingLiteral["<", "<=", ">", ">=", "=", "!="]
CastType = TypingLiteral["double", "number", "float32", "text", "int"]
LiteralValue = float | int | str | bool | None

#: Scalar functions the IR knows. Each has a NumPy twin in the evaluator and a sqlglot node (or a
#: documented fallback) in the lowering.
FUNCTIONS: frozenset[str] = frozenset(
    {"exp", "ln", "log10", "sqrt", "abs", "sign", "floor", "ceil", "power", "cos", "sin", "asin"}
)


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the input relation or of an earlier stage."""

    name: str


@dataclass(frozen=True, slots=True)
class Literal:
    """A constant. Floats are written with full (round-trip) precision by the lowering."""

    value: LiteralValue


@dataclass(frozen=True, slots=True)
class Arith:
    """Binary arithmetic. Division by zero is never emitted by assemblers (they guard it)."""

    op: ArithOp
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Sum:
    """N-ary addition, written left to right in this order (float addition is not associative)."""

    terms: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Func:
    """A scalar function from :data:`FUNCTIONS`."""

    name: str
    args: tuple[Expr, ...]

    def __post_init__(self) -> None:
        if self.name not in FUNCTIONS:
            raise Skl2SqlError(f"internal: unknown IR function {self.name!r}")


@dataclass(frozen=True, slots=True)
class Compare:
    """A comparison; unknown (NULL) when either side is NULL."""

    op: CompareOp
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Expr


@dataclass(frozen=True, slots=True)
class IsNull:
    item: Expr


@dataclass(frozen=True, slots=True)
class Case:
    """``CASE WHEN c1 THEN v1 ... ELSE default END``; ``default=None`` means ``ELSE NULL``."""

    whens: tuple[tuple[Expr, Expr], ...]
    default: Expr | None = None


@dataclass(frozen=True, slots=True)
class InList:
    """``item IN (values...)``; unknown when ``item`` is NULL."""

    item: Expr
    values: tuple[Literal, ...]


@dataclass(frozen=True, slots=True)
class Cast:
    """A type conversion. ``float32`` rounds a double to the nearest single-precision value.

    ``number`` reads an *input* column as a double the way sklearn reads a feature: a NaN stored in
    the warehouse (DuckDB, PostgreSQL, Snowflake, BigQuery... keep real NaN in float columns, e.g.
    from Parquet or Arrow) is a missing value, i.e. NULL, not a number that sorts above every other
    (PostgreSQL/DuckDB) and poisons every sum. The lowering writes the dialect's NaN test around
    the cast (:attr:`skl2sql.dialects.DialectPolicy.nan_as_null`); in the IR it is the same as ``double``
    (the evaluator's NULL is NaN already)."""

    item: Expr
    to: CastType
    #: The read feeds arithmetic (an estimator that refuses infinity): on dialects that raise on
    #: underflow a magnitude below ``DialectPolicy.flush_tiny`` is read as 0. Not on tree and
    #: booster inputs, which are only compared (HistGradientBoosting may split at 0.0 exactly).
    flush: bool = False


@dataclass(frozen=True, slots=True)
class Lookup:
    """``values[index]`` for an integer ``index`` from 1 to ``len(values)``; NULL when ``index``
    is NULL.

    ``fallback`` is the same value written without an array (e.g. the tree's CASE with the values
    at its leaves); dialects without array literals get it instead (``resolve_lookups``), so
    the two must agree on every row. Why: a random-forest classifier needs one value per class
    from the same leaf; one CASE giving the leaf number plus a lookup per class evaluates each
    tree once instead of once per class (measured ~1.5x faster for binary forests on DuckDB)."""

    index: Expr
    values: tuple[float, ...]
    fallback: Expr | None


@dataclass(frozen=True, slots=True)
class ArrayForm:
    """One value written two ways: ``value`` reads constants through :class:`Lookup` nodes
    (without fallbacks), ``plain`` does without arrays; ``resolve_lookups`` keeps one per
    dialect. Why: interpolating over many knots can find the interval's index once and look up
    that interval's constants (DuckDB ran it 3x faster than one formula per interval), while
    dialects without array literals need the formulas."""

    value: Expr
    plain: Expr


#: Every IR node type. A new node is a dataclass above plus its name here; the evaluator and the
#: lowering each register one function for it (``test_ir`` checks that none is missing).
Expr = Column | Literal | Arith | Sum | Func | Compare | And | Or | Not | IsNull | Case | InList | Cast | Lookup | ArrayForm

NODE_TYPES: tuple[type, ...] = typing.get_args(Expr)

#: How a field annotation makes a field hold children (see the module docstring).
_SHAPES = {
    "Expr": "one",
    "Expr | None": "optional",
    "tuple[Expr, ...]": "many",
    "tuple[Literal, ...]": "many",
    "tuple[tuple[Expr, Expr], ...]": "pairs",
}

#: Node type -> its child-holding fields, in order, with their shapes ("one", "optional", "many",
#: "pairs"); read from the dataclass fields' annotations.
CHILD_FIELDS: dict[type, tuple[tuple[str, str], ...]] = {
    t: tuple((f.name, _SHAPES[str(f.type)]) for f in fields(t) if str(f.type) in _SHAPES) for t in NODE_TYPES
}
