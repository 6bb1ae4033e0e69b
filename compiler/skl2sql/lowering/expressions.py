"""Lower IR expressions to sqlglot nodes, for one dialect's policy.

The only place that builds sqlglot nodes from IR. Each node type has one method, registered in a
table keyed by the type (:func:`_lowers`), so a new node adds one method. The dialect decides
only through :class:`~skl2sql.dialects.DialectPolicy`: literal typing, NaN tests, exact string
equality, array lookups, underflow flushes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from sqlglot import exp

from .. import ir
from ..dialects import DialectPolicy
from ..errors import Skl2SqlError, UnsupportedDialectError
from ..plan.long_sums import SEQUENTIAL_SUM
from .category_lists import CategoryList, category_list

__all__ = ["Lowerer", "lower_expr", "lowerings", "float_text", "ident", "column"]

def float_text(value: float) -> str:
    """Round-trip scientific notation: ``1.5E0``, ``-2.5E-07`` (never a bare decimal, which some
    engines read as DECIMAL)."""
    if not math.isfinite(value):
        raise Skl2SqlError(f"cannot write the non-finite number {value!r} as SQL")
    text = repr(float(value))
    if "e" in text:
        mant, _, expo = text.partition("e")
        return f"{mant}E{int(expo)}"
    if text.endswith(".0"):
        text = text[:-2]
    return f"{text}E0"


def ident(name: str) -> exp.Identifier:
    return exp.Identifier(this=name, quoted=True)


def column(name: str) -> exp.Column:
    return exp.Column(this=ident(name))


def _paren(e: exp.Expression) -> exp.Expression:
    if isinstance(e, (exp.Column, exp.Literal, exp.Paren, exp.Func, exp.Cast, exp.Case, exp.Null)):
        return e
    return exp.Paren(this=e)


#: Appended to both sides of a string equality where ``=`` ignores trailing spaces.
_PAD_SENTINEL = "."


def _string_side(e: ir.Compare) -> tuple[ir.Expr, ir.Expr] | None:
    """(string literal, other side) of a comparison with a string literal, else None."""
    if isinstance(e.right, ir.Literal) and isinstance(e.right.value, str):
        return e.right, e.left
    if isinstance(e.left, ir.Literal) and isinstance(e.left.value, str):
        return e.left, e.right
    return None


#: Node type -> the :class:`Lowerer` method writing it, registered with :func:`_lowers`.
_LOWERINGS: dict[type, Callable[[Lowerer, Any], exp.Expression]] = {}
M = TypeVar("M", bound=Callable[..., exp.Expression])


def _lowers(node_type: type) -> Callable[[M], M]:
    def register(method: M) -> M:
        _LOWERINGS[node_type] = method
        return method

    return register


def lowerings() -> dict[type, Callable[..., exp.Expression]]:
    """The lowering of each node type (for the check that every node has one)."""
    return dict(_LOWERINGS)


_ARITH: dict[str, type[exp.Binary]] = {"+": exp.Add, "-": exp.Sub, "*": exp.Mul, "/": exp.Div}
_COMPARE: dict[str, type[exp.Binary]] = {
    "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE, "=": exp.EQ, "!=": exp.NEQ,
}


class Lowerer:
    """Writes IR as sqlglot nodes for ``policy``; ``numeric``: input columns read as numbers, whose
    bare ``IS NULL`` tests must see a stored NaN as missing (see :mod:`skl2sql.plan.projections`)."""

    def __init__(self, policy: DialectPolicy, numeric: frozenset[str] = frozenset()) -> None:
        self.policy = policy
        self.numeric = numeric

    def literal(self, node: ir.Literal, value_position: bool = False) -> exp.Expression:
        v = node.value
        if v is None:
            return exp.Null()
        if isinstance(v, bool):
            return exp.Boolean(this=v)
        if isinstance(v, str):
            return exp.Literal.string(v)
        if isinstance(v, int):
            text = str(abs(v))
            # Built directly: Literal.number() re-parses the text through Decimal to detect a sign
            # (text is already unsigned here), which dominated compile time of large ensembles.
            out: exp.Expression = exp.Literal(this=text, is_string=False)
        else:
            out = exp.Literal(this=float_text(abs(v)), is_string=False)
            if value_position and self.policy.float_literal_cast:
                double = exp.DataType(this=exp.DataType.Type.USERDEFINED, kind=self.policy.float_literal_cast)
                out = exp.Cast(this=out, to=double)
        if v < 0 or (isinstance(v, float) and math.copysign(1.0, v) < 0 and v == 0.0):
            if v == 0:
                return out
            return exp.Neg(this=out)
        return out

    def typed_branch(self, e: ir.Case) -> ir.Expr | None:
        """The one float literal of ``e`` to write as a DOUBLE where float literals are NUMERIC
        (PostgreSQL): one DOUBLE branch makes the whole CASE DOUBLE (PostgreSQL's common type of
        NUMERIC, INTEGER and DOUBLE PRECISION is DOUBLE PRECISION) and the other literals are
        coerced when the query is planned, exactly as a cast would. None when the literals need
        no cast, or another branch is DOUBLE already (a nested tree CASE): a cast on every leaf
        made a forest's PostgreSQL SQL 2.6x its minimal encoding."""
        if not self.policy.float_literal_cast:
            return None
        values = [v for _, v in e.whens] + ([e.default] if e.default is not None else [])
        if any(_yields_double(v) for v in values if not isinstance(v, ir.Literal)):
            return None
        return next((v for v in values if _float_literal(v)), None)

    def branch(self, e: ir.Expr, typed: bool) -> exp.Expression:
        """A CASE branch: a float literal is cast only if it is the branch that types the CASE."""
        if isinstance(e, ir.Literal):
            return self.literal(e, value_position=typed)
        return self.lower(e)

    def value(self, e: ir.Expr) -> exp.Expression:
        """An expression in a position whose type becomes the result type (CASE branches)."""
        if isinstance(e, ir.Literal):
            return self.literal(e, value_position=True)
        return self.lower(e)

    def lower(self, e: ir.Expr) -> exp.Expression:
        try:
            method = _LOWERINGS[type(e)]
        except KeyError:
            raise TypeError(f"not an IR node: {e!r}") from None
        return method(self, e)

    @_lowers(ir.Column)
    def lower_column(self, e: ir.Column) -> exp.Expression:
        return column(e.name)

    @_lowers(ir.Literal)
    def lower_literal(self, e: ir.Literal) -> exp.Expression:
        return self.literal(e)

    @_lowers(ir.Arith)
    def lower_arith(self, e: ir.Arith) -> exp.Expression:
        cls = _ARITH[e.op]
        return cast(exp.Expression, cls(this=_paren(self.lower(e.left)), expression=_paren(self.lower(e.right))))

    @_lowers(ir.Sum)
    def lower_sum(self, e: ir.Sum) -> exp.Expression:
        return self.sum([self.value(t) if isinstance(t, ir.Literal) else self.lower(t) for t in e.terms])

    @_lowers(ir.Compare)
    def lower_compare(self, e: ir.Compare) -> exp.Expression:
        if e.op in ("=", "!=") and self.policy.binary_collation and _string_side(e) is not None:
            return self.exact_string_compare(e)
        cls = _COMPARE[e.op]
        return cast(exp.Expression, cls(this=_paren(self.lower(e.left)), expression=_paren(self.lower(e.right))))

    @_lowers(ir.And)
    def lower_and(self, e: ir.And) -> exp.Expression:
        return self.boolean(exp.And, e.items)

    @_lowers(ir.Or)
    def lower_or(self, e: ir.Or) -> exp.Expression:
        return self.boolean(exp.Or, e.items)

    @_lowers(ir.Not)
    def lower_not(self, e: ir.Not) -> exp.Expression:
        return exp.Not(this=exp.Paren(this=self.lower(e.item)))

    @_lowers(ir.IsNull)
    def lower_is_null(self, e: ir.IsNull) -> exp.Expression:
        item = e.item
        if isinstance(item, ir.Column) and item.name in self.numeric:
            item = ir.Cast(item, "number")
        return exp.Is(this=_paren(self.lower(item)), expression=exp.Null())

    @_lowers(ir.Lookup)
    def lower_lookup(self, e: ir.Lookup) -> exp.Expression:
        if e.fallback is not None or not self.policy.array_lookup:
            raise Skl2SqlError("internal: a Lookup reached the lowering unresolved")
        # one DOUBLE element types the whole array (the others are coerced to it when planned)
        array: exp.Expression = exp.Array(
            expressions=[self.literal(ir.Literal(float(v)), value_position=i == 0) for i, v in enumerate(e.values)]
        )
        # offset=1: the index is already 1-based; without it sqlglot shifts an index whose
        # type it can infer (an integer CASE) by the dialect's own offset
        return exp.Bracket(this=array, expressions=[self.lower(e.index)], offset=1)

    @_lowers(ir.ArrayForm)
    def lower_array_form(self, e: ir.ArrayForm) -> exp.Expression:
        raise Skl2SqlError("internal: an ArrayForm reached the lowering unresolved")

    @_lowers(ir.InList)
    def lower_in_list(self, e: ir.InList) -> exp.Expression:
        if self.policy.binary_collation and any(isinstance(v.value, str) for v in e.values):
            return exp.In(
                this=self.exact_string_item(e.item),
                expressions=[self.exact_string_literal(v) for v in e.values],
            )
        return exp.In(this=_paren(self.lower(e.item)), expressions=[self.literal(v) for v in e.values])

    @_lowers(ir.Cast)
    def lower_cast(self, e: ir.Cast) -> exp.Expression:
        out: exp.Expression = exp.Cast(this=self.lower(e.item), to=self.cast_type(e.to))
        if e.to == "number":
            out = self.nan_as_null(out)
        if e.flush and self.policy.flush_tiny:
            out = self.flush_tiny(out)
        return out

    @_lowers(ir.Case)
    def lower_case(self, e: ir.Case) -> exp.Expression:
        if self.policy.category_list_min is not None:
            found = category_list(e, self.policy.category_list_min)
            if found is not None:
                return self.category_lookup(found)
        typed = self.typed_branch(e)
        ifs = [exp.If(this=self.lower(c), true=self.branch(v, v is typed)) for c, v in e.whens]
        default = self.branch(e.default, e.default is typed) if e.default is not None else None
        return exp.Case(ifs=ifs, default=default)

    def category_lookup(self, c: CategoryList) -> exp.Expression:
        """``COALESCE([values][list_position([keys], item)], default)``, with ``CASE WHEN item IS
        NULL`` around it when NULL was a category (see :mod:`skl2sql.lowering.category_lists`). Only
        dialects with 1-based list literals and ``list_position`` get here (DuckDB)."""
        item = self.lower(c.item)
        keys = exp.Array(expressions=[exp.Literal.string(k) for k in c.keys])
        values = exp.Array(expressions=[self.literal(v) for v in c.values])
        position = exp.ArrayPosition(this=keys, expression=item)
        out: exp.Expression = exp.Bracket(this=values, expressions=[position], offset=1)
        if c.default is not None:
            out = exp.Coalesce(this=out, expressions=[self.literal(c.default)])
        if c.missing is not None:
            is_null = exp.Is(this=_paren(item.copy()), expression=exp.Null())
            out = exp.Case(ifs=[exp.If(this=is_null, true=self.literal(c.missing))], default=out)
        return out

    # -- exact string equality (see dialects.py: case-insensitive / PAD SPACE collations) ------

    def exact_string_item(self, item: ir.Expr) -> exp.Expression:
        """The non-literal side of a string equality: with a sentinel appended under PAD SPACE,
        so ``'red '`` no longer equals ``'red'`` (NULL stays NULL: ``CONCAT``/``+`` with NULL is
        NULL in MySQL and in SQL Server's default CONCAT_NULL_YIELDS_NULL)."""
        node = self.lower(item)
        if self.policy.pad_space:
            node = exp.DPipe(this=_paren(node), expression=self.string_literal(_PAD_SENTINEL))
        return _paren(node)

    def string_literal(self, text: str) -> exp.Expression:
        if self.policy.national_literals:
            return exp.National(this=text)
        return exp.Literal.string(text)

    def exact_string_literal(self, node: ir.Literal) -> exp.Expression:
        """A literal compared with text, in the dialect's binary collation. The collation goes
        on the literal so a column of any character set is converted to it."""
        if not isinstance(node.value, str):
            return self.literal(node)
        text = node.value + _PAD_SENTINEL if self.policy.pad_space else node.value
        return exp.Collate(
            this=self.string_literal(text), expression=exp.Var(this=self.policy.binary_collation)
        )

    def exact_string_compare(self, e: ir.Compare) -> exp.Expression:
        lit_node, other = _string_side(e) or (e.right, e.left)
        assert isinstance(lit_node, ir.Literal)
        cls = exp.EQ if e.op == "=" else exp.NEQ
        return cast(
            exp.Expression,
            cls(this=self.exact_string_item(other), expression=self.exact_string_literal(lit_node)),
        )

    def nan_as_null(self, x: exp.Expression) -> exp.Expression:
        """``x`` (an input read as a double) with a stored NaN turned into NULL, as the dialect
        tests for NaN (``DialectPolicy.nan_as_null``); unchanged where the engine keeps none."""
        return x if self.policy.nan_as_null is None else self.policy.nan_as_null(x)

    def cast_type(self, to: str) -> exp.DataType:
        if to in ("double", "number"):
            return exp.DataType.build("DOUBLE")
        if to == "float32":
            if not self.policy.float32_type:
                raise UnsupportedDialectError(
                    f"dialect {self.policy.name!r} has no single-precision float type"
                )
            return exp.DataType.build(self.policy.float32_type, dialect=self.policy.name)
        if to == "int":
            return exp.DataType.build("BIGINT")
        return exp.DataType.build("VARCHAR")

    @_lowers(ir.Func)
    def func(self, e: ir.Func) -> exp.Expression:
        args = [self.lower(a) for a in e.args]
        x = args[0]
        if e.name == "exp":
            return exp.Exp(this=x)
        if e.name == "ln":
            return exp.Ln(this=x)
        if e.name == "log10":
            # LN(x) / LN(10): every engine has LN, while two-argument LOG is missing for doubles in
            # PostgreSQL and Redshift and LOG10 is missing in Snowflake and Oracle (within 2 ulp).
            return exp.Div(this=exp.Ln(this=x), expression=exp.Literal.number(float_text(math.log(10.0))))
        if e.name == "sqrt":
            return exp.Sqrt(this=x)
        if e.name == "abs":
            return exp.Abs(this=x)
        if e.name == "sign":
            return exp.Sign(this=x)
        if e.name == "floor":
            return exp.Floor(this=x)
        if e.name == "ceil":
            return exp.Ceil(this=x)
        if e.name == "power":
            return exp.Pow(this=x, expression=args[1])
        if e.name == "cos":
            return exp.Cos(this=x)
        if e.name == "sin":
            return exp.Sin(this=x)
        if e.name == "asin":
            return exp.Asin(this=x)
        raise TypeError(f"unknown IR function {e.name}")

    def boolean(self, cls: type[exp.Connector], items: Sequence[ir.Expr]) -> exp.Expression:
        parts = [exp.Paren(this=self.lower(i)) if isinstance(i, (ir.And, ir.Or)) else self.lower(i) for i in items]
        out: exp.Expression = parts[0]
        for p in parts[1:]:
            out = cast(exp.Expression, cls(this=out, expression=p))
        return out

    def flush_tiny(self, x: exp.Expression) -> exp.Expression:
        """``CASE WHEN ABS(x) < tiny THEN 0 ELSE x END`` (see ``DialectPolicy.flush_tiny``);
        NULL and NaN fall through to ``x``."""
        assert self.policy.flush_tiny is not None
        small = exp.LT(this=exp.Abs(this=x.copy()), expression=self.literal(ir.Literal(self.policy.flush_tiny)))
        return exp.Case(ifs=[exp.If(this=small, true=self.value(ir.Literal(0.0)))], default=x)

    def sum(self, parts: list[exp.Expression]) -> exp.Expression:
        """One left-deep chain of additions, in the IR's order, up to ``SEQUENTIAL_SUM`` terms
        (:mod:`skl2sql.plan.long_sums` splits longer sums into running partial sums in stages); only
        a bare expression (``CompiledModel.expressions``) can still hold a longer one, whose
        chunks are then combined as a balanced tree so no engine's depth limit is reached."""
        if len(parts) <= SEQUENTIAL_SUM:
            out = parts[0]
            for p in parts[1:]:
                out = exp.Add(this=out, expression=_paren(p))
            return out
        chunks = [self.sum(parts[i : i + SEQUENTIAL_SUM]) for i in range(0, len(parts), SEQUENTIAL_SUM)]
        return self.sum([exp.Paren(this=c) for c in chunks])


def _float_literal(e: ir.Expr) -> bool:
    return isinstance(e, ir.Literal) and isinstance(e.value, float)


def _yields_double(e: ir.Expr) -> bool:
    """``e`` is DOUBLE however its float literals are typed: a CASE with a float branch (its typed
    branch, see ``Lowerer.typed_branch``, or a DOUBLE one), an array lookup (its first element is
    cast), a cast to double, or arithmetic over one of these. Conservative: a column might be
    anything (INTEGER, NUMERIC), so it does not count."""
    stack = [e]
    while stack:
        n = stack.pop()
        if isinstance(n, ir.Case):
            values = [v for _, v in n.whens] + ([n.default] if n.default is not None else [])
            if any(_float_literal(v) for v in values):
                return True
            stack.extend(v for v in values if not isinstance(v, ir.Literal))
        elif isinstance(n, ir.Lookup) or (isinstance(n, ir.Cast) and n.to in ("double", "number")):
            return True
        elif isinstance(n, (ir.Arith, ir.Sum, ir.Func)):
            stack.extend(ir.children(n))
    return False


def lower_expr(e: ir.Expr, policy: DialectPolicy) -> exp.Expression:
    return Lowerer(policy).lower(e)


