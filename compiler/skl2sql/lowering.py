"""Lower an IR :class:`~skl2sql.program.Program` to sqlglot trees and dialect SQL text.

The only module that builds sqlglot nodes. Two shapes come out:

- :func:`build_select`: ``WITH stage_1 AS (...), ... SELECT keep..., outputs FROM last_stage``;
  each stage projects exactly the columns still needed downstream, so wide tables cost nothing.
- :func:`build_expressions`: one bare expression per output with every stage inlined, to embed in
  a user's own SELECT.

Before lowering, :func:`plan` inlines every stage column that is used at most once (or is trivial),
so assemblers can materialize freely and the SQL still computes each shared value exactly once.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import cast

from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError, UnsupportedError

from . import ir
from .category_lists import CategoryList, category_list
from .dialects import DialectPolicy
from .errors import SchemaError, Skl2SqlError, UnsupportedDialectError
from .long_sums import SEQUENTIAL_SUM
from .pipeline_breaks import break_pipelines
from .program import Program, Stage
from .stage_merge import LEVEL_ABOVE, fit_stage_limit, level_stages

__all__ = [
    "plan",
    "lower_expr",
    "build_select",
    "build_expressions",
    "render",
    "float_text",
    "parse_table",
]

def _live_columns(program: Program) -> set[str]:
    """Stage columns the outputs depend on, directly or through other stage columns. Assemblers
    may leave columns behind that nothing reads any more (e.g. one-hot indicators after a linear
    model folded them into one lookup); they must not be computed, nor count as references."""
    defs = {name: e for stage in program.stages for name, e in stage.columns}
    live: set[str] = set()
    stack = [node.name for _, e in program.outputs for node in ir.walk(e) if isinstance(node, ir.Column)]
    while stack:
        name = stack.pop()
        if name in live or name not in defs:
            continue
        live.add(name)
        stack.extend(node.name for node in ir.walk(defs[name]) if isinstance(node, ir.Column))
    return live


def plan(program: Program) -> tuple[list[Stage], list[tuple[str, ir.Expr]]]:
    """Drop dead stage columns; inline the ones used at most once (or cheap to repeat); keep the
    rest as stages."""
    live = _live_columns(program)
    refs: Counter[str] = Counter()
    for stage in program.stages:
        for name, e in stage.columns:
            if name not in live:
                continue
            for node in ir.walk(e):
                if isinstance(node, ir.Column):
                    refs[node.name] += 1
    for _, e in program.outputs:
        for node in ir.walk(e):
            if isinstance(node, ir.Column):
                refs[node.name] += 1
    mapping: dict[str, ir.Expr] = {}
    stages: list[Stage] = []
    for stage in program.stages:
        kept: list[tuple[str, ir.Expr]] = []
        for name, e in stage.columns:
            if name not in live:
                continue
            e2 = ir.substitute(e, mapping) if mapping else e
            if not stage.pinned and (refs[name] <= 1 or ir.is_trivial(e2)):
                mapping[name] = e2
            else:
                kept.append((name, e2))
        if kept:
            stages.append(Stage(tuple(kept), pinned=stage.pinned))
    outputs = [(n, ir.substitute(e, mapping) if mapping else e) for n, e in program.outputs]
    return stages, outputs


def inlined_size(program: Program) -> int:
    """IR nodes the outputs have once every stage column is inlined where it is read: what
    :func:`inline_all` would make, counted without making it (a column read k times counts k
    times, so a chain of stages each read twice doubles per stage)."""
    size: dict[str, int] = {}

    def count(e: ir.Expr) -> int:
        return sum(size.get(n.name, 1) if isinstance(n, ir.Column) else 1 for n in ir.walk(e))

    for stage in program.stages:
        for name, e in stage.columns:
            size[name] = count(e)
    return sum(count(e) for _, e in program.outputs)


def inline_all(program: Program) -> list[tuple[str, ir.Expr]]:
    mapping: dict[str, ir.Expr] = {}
    for stage in program.stages:
        for name, e in stage.columns:
            mapping[name] = ir.substitute(e, mapping)
    return [(n, ir.substitute(e, mapping)) for n, e in program.outputs]


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


def _ident(name: str) -> exp.Identifier:
    return exp.Identifier(this=name, quoted=True)


def _column(name: str) -> exp.Column:
    return exp.Column(this=_ident(name))


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


def _references(e: ir.Expr, numeric: set[str]) -> set[str]:
    """Column names ``e`` reads; adds to ``numeric`` the columns it reads as numbers
    (``Cast(column, "number")``). One walk serves both, as large ensembles make walks costly."""
    names: set[str] = set()
    for n in ir.walk(e):
        if isinstance(n, ir.Column):
            names.add(n.name)
        elif isinstance(n, ir.Cast) and n.to == "number" and isinstance(n.item, ir.Column):
            numeric.add(n.item.name)
    return names


def _nan_tested(numeric: set[str], program: Program, policy: DialectPolicy) -> frozenset[str]:
    """The input columns read as numbers whose bare ``IS NULL`` tests (imputers, row guards) must
    see a stored NaN as missing too, as sklearn does; none where the dialect stores no NaN."""
    return frozenset(numeric & set(program.inputs)) if policy.nan_test is not None else frozenset()


class _Lowerer:
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
        if isinstance(e, ir.Column):
            return _column(e.name)
        if isinstance(e, ir.Literal):
            return self.literal(e)
        if isinstance(e, ir.Arith):
            left = _paren(self.lower(e.left))
            right = _paren(self.lower(e.right))
            if e.op == "+":
                return exp.Add(this=left, expression=right)
            if e.op == "-":
                return exp.Sub(this=left, expression=right)
            if e.op == "*":
                return exp.Mul(this=left, expression=right)
            return exp.Div(this=left, expression=right)
        if isinstance(e, ir.Sum):
            return self.sum([self.value(t) if isinstance(t, ir.Literal) else self.lower(t) for t in e.terms])
        if isinstance(e, ir.Func):
            return self.func(e)
        if isinstance(e, ir.Compare):
            if e.op in ("=", "!=") and self.policy.binary_collation and _string_side(e) is not None:
                return self.exact_string_compare(e)
            cls = {
                "<": exp.LT,
                "<=": exp.LTE,
                ">": exp.GT,
                ">=": exp.GTE,
                "=": exp.EQ,
                "!=": exp.NEQ,
            }[e.op]
            return cast(exp.Expression, cls(this=_paren(self.lower(e.left)), expression=_paren(self.lower(e.right))))
        if isinstance(e, ir.And):
            return self.boolean(exp.And, e.items)
        if isinstance(e, ir.Or):
            return self.boolean(exp.Or, e.items)
        if isinstance(e, ir.Not):
            return exp.Not(this=exp.Paren(this=self.lower(e.item)))
        if isinstance(e, ir.IsNull):
            item = e.item
            if isinstance(item, ir.Column) and item.name in self.numeric:
                item = ir.Cast(item, "number")
            return exp.Is(this=_paren(self.lower(item)), expression=exp.Null())
        if isinstance(e, ir.Lookup):
            if e.fallback is not None or not self.policy.array_lookup:
                raise Skl2SqlError("internal: a Lookup reached the lowering unresolved")
            # one DOUBLE element types the whole array (the others are coerced to it when planned)
            array: exp.Expression = exp.Array(
                expressions=[self.literal(ir.Literal(float(v)), value_position=i == 0) for i, v in enumerate(e.values)]
            )
            # offset=1: the index is already 1-based; without it sqlglot shifts an index whose
            # type it can infer (an integer CASE) by the dialect's own offset
            return exp.Bracket(this=array, expressions=[self.lower(e.index)], offset=1)
        if isinstance(e, ir.InList):
            if self.policy.binary_collation and any(isinstance(v.value, str) for v in e.values):
                return exp.In(
                    this=self.exact_string_item(e.item),
                    expressions=[self.exact_string_literal(v) for v in e.values],
                )
            return exp.In(this=_paren(self.lower(e.item)), expressions=[self.literal(v) for v in e.values])
        if isinstance(e, ir.Cast):
            out: exp.Expression = exp.Cast(this=self.lower(e.item), to=self.cast_type(e.to))
            if e.to == "number":
                out = self.nan_as_null(out)
            if e.flush and self.policy.flush_tiny:
                out = self.flush_tiny(out)
            return out
        if isinstance(e, ir.Case):
            if self.policy.category_list_min is not None:
                found = category_list(e, self.policy.category_list_min)
                if found is not None:
                    return self.category_lookup(found)
            typed = self.typed_branch(e)
            ifs = [exp.If(this=self.lower(c), true=self.branch(v, v is typed)) for c, v in e.whens]
            default = self.branch(e.default, e.default is typed) if e.default is not None else None
            return exp.Case(ifs=ifs, default=default)
        raise TypeError(f"not an IR node: {e!r}")

    def category_lookup(self, c: CategoryList) -> exp.Expression:
        """``COALESCE([values][list_position([keys], item)], default)``, with ``CASE WHEN item IS
        NULL`` around it when NULL was a category (see :mod:`skl2sql.category_lists`). Only
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
        tests for NaN (see ``_NAN_TEST`` in dialects.py); unchanged where the engine keeps none."""
        if self.policy.nan_test is None:
            return x
        nan = exp.Cast(this=exp.Literal.string("NaN"), to=exp.DataType.build("DOUBLE"))
        if self.policy.nan_test == "nullif":
            return exp.Nullif(this=x, expression=nan)
        return exp.Case(ifs=[exp.If(this=exp.IsNan(this=x.copy()), true=exp.Null())], default=x)

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
        (:mod:`skl2sql.long_sums` splits longer sums into running partial sums in stages); only
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
    branch, see ``_Lowerer.typed_branch``, or a DOUBLE one), an array lookup (its first element is
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
    return _Lowerer(policy).lower(e)


def parse_table(table: str, policy: DialectPolicy) -> exp.Table:
    """A (possibly qualified) table name as a sqlglot Table with every part quoted.

    Dots separate catalog/schema/table; a part already quoted in the dialect's quotes is kept whole."""
    if not isinstance(table, str) or not table.strip():
        raise SchemaError(f"table must be a non-empty name, got {table!r}")
    try:
        parsed = exp.to_table(table, dialect=policy.name)
    except SqlglotError as err:
        raise SchemaError(f"cannot read table name {table!r}: {err}") from None
    text = table.strip()
    if not parsed.name or (parsed.catalog and not parsed.db) or text.startswith(".") or text.endswith("."):
        raise SchemaError(f"table name {table!r} has an empty part")
    for ident in parsed.find_all(exp.Identifier):
        ident.set("quoted", True)
    return parsed


def _stage_name(i: int) -> str:
    return f"skl2sql_stage_{i}"


#: MariaDB's documented "no limit" value for LIMIT.
_MYSQL_NO_LIMIT = "18446744073709551615"


def _fence(select: exp.Select, policy: DialectPolicy) -> exp.Select:
    """Stop the engine from flattening this stage into its readers (which would copy, and
    re-evaluate, its expressions once per reference): see ``dialects._CTE_FENCE``."""
    if policy.cte_fence == "offset":
        select.set("offset", exp.Offset(expression=exp.Literal.number(0)))
    elif policy.cte_fence == "limit_offset":
        select.set("limit", exp.Limit(expression=exp.Neg(this=exp.Literal.number(1))))
        select.set("offset", exp.Offset(expression=exp.Literal.number(0)))
    elif policy.cte_fence == "limit":
        select.set("limit", exp.Limit(expression=exp.Literal.number(_MYSQL_NO_LIMIT)))
    return select


def for_dialect(program: Program, policy: DialectPolicy) -> Program:
    """``program`` with its :class:`~skl2sql.ir.Lookup` nodes resolved for ``policy`` (array
    lookups, or their fallbacks), before liveness is computed: a fallback dialect then does not
    compute the leaf numbers only the lookups would read."""
    arrays = policy.array_lookup

    def fix(e: ir.Expr) -> ir.Expr:
        return ir.resolve_lookups(e, arrays)

    stages = tuple(Stage(tuple((n, fix(e)) for n, e in st.columns), pinned=st.pinned) for st in program.stages)
    outputs = tuple((n, fix(e)) for n, e in program.outputs)
    return Program(program.inputs, stages, outputs)


def build_select(
    program: Program, table: str, keep: Sequence[str], policy: DialectPolicy
) -> exp.Expression:
    """The whole model as one SELECT over ``table``: keep columns, then outputs."""
    program = for_dialect(program, policy)
    stages, outputs = plan(program)
    if len(stages) > LEVEL_ABOVE:
        stages = level_stages(stages)
    if policy.max_with_elements is not None:
        stages = fit_stage_limit(stages, outputs, policy.max_with_elements)
    materialized: set[int] = set()
    if policy.pipeline_budget is not None:
        taken = [*keep, *program.inputs, *(n for st in stages for n, _ in st.columns)]
        stages, materialized = break_pipelines(stages, policy.pipeline_budget, taken)
    source: exp.Expression = parse_table(table, policy)
    # Liveness: which columns each stage must carry forward.
    needed_later: list[set[str]] = []
    live: set[str] = set()
    numeric: set[str] = set()
    for _, e in outputs:
        live |= _references(e, numeric)
    for stage in reversed(stages):
        needed_later.append(set(live))
        for name, e in stage.columns:
            live.discard(name)
            live |= _references(e, numeric)
    needed_later.reverse()
    lw = _Lowerer(policy, _nan_tested(numeric, program, policy))
    keep_cols = list(dict.fromkeys(keep))
    ctes: list[exp.CTE] = []
    available: list[str] = list(dict.fromkeys([*keep_cols, *program.inputs]))
    for i, stage in enumerate(stages):
        carry = [c for c in available if c in needed_later[i] or c in keep_cols]
        projections: list[exp.Expression] = [_column(c) for c in carry]
        for name, e in stage.columns:
            projections.append(exp.Alias(this=lw.lower(e), alias=_ident(name)))
        select = _fence(exp.Select(expressions=projections).from_(source, copy=False), policy)
        alias = exp.TableAlias(this=_ident(_stage_name(i)))
        ctes.append(exp.CTE(this=select, alias=alias, materialized=True if i in materialized else None))
        source = exp.Table(this=_ident(_stage_name(i)))
        available = carry + [n for n, _ in stage.columns]
    projections = [_column(c) for c in keep_cols]
    for name, e in outputs:
        projections.append(exp.Alias(this=lw.value(e), alias=_ident(name)))
    final = exp.Select(expressions=projections).from_(source, copy=False)
    if ctes:
        final.set("with_", exp.With(expressions=ctes))
    return final


def build_expressions(program: Program, policy: DialectPolicy) -> dict[str, exp.Expression]:
    """Each output as a bare expression over the input columns (no FROM)."""
    inlined = inline_all(for_dialect(program, policy))
    numeric: set[str] = set()
    for _, e in inlined:
        _references(e, numeric)
    lw = _Lowerer(policy, _nan_tested(numeric, program, policy))
    return {name: lw.value(e) for name, e in inlined}


def render(node: exp.Expression, policy: DialectPolicy, pretty: bool = False) -> str:
    """SQL text; anything the dialect cannot express raises :class:`UnsupportedDialectError`."""
    try:
        # copy=False: every caller renders a freshly built tree; copying it first doubled the
        # render time of large ensembles.
        return node.sql(dialect=policy.name, unsupported_level=ErrorLevel.RAISE, pretty=pretty, copy=False)
    except UnsupportedError as err:
        raise UnsupportedDialectError(f"dialect {policy.name!r} cannot express this model: {err}") from None
