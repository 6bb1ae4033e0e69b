"""Write a planned :class:`~skl2sql.plan.layout.Layout` as SQL: a SELECT with CTEs, or bare expressions.

Nothing is decided here: the passes of :mod:`skl2sql.plan` chose the stages, what they carry and
which are materialized; this module writes ``WITH stage_0 AS (...), ... SELECT keep...,
outputs FROM last_stage`` (each stage fenced as the dialect needs), and renders sqlglot trees
as text.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError, UnsupportedError

from ..dialects import DialectPolicy
from ..errors import SchemaError, Skl2SqlError, UnsupportedDialectError
from ..plan.layout import Layout
from .expressions import Lowerer, column, ident

__all__ = ["write_select", "write_expressions", "render", "render_around_table", "parse_table"]


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
    for part in parsed.find_all(exp.Identifier):
        part.set("quoted", True)
    return parsed


def _stage_name(i: int) -> str:
    return f"skl2sql_stage_{i}"


def _fence(select: exp.Select, policy: DialectPolicy) -> exp.Select:
    """Stop the engine from flattening this stage into its readers (which would copy, and
    re-evaluate, its expressions once per reference): ``DialectPolicy.fence``."""
    return policy.fence(select) if policy.fence is not None else select


def _from(select: exp.Select, source: exp.Expression, beside: exp.Expression | None) -> exp.Select:
    select = select.from_(source, copy=False)
    if beside is not None:
        select.set("joins", [exp.Join(this=beside, kind="CROSS")])
    return select


def write_select(
    layout: Layout, table: str, policy: DialectPolicy, beside: exp.Expression | None = None
) -> exp.Expression:
    """The planned layout as one SELECT over ``table``: keep columns, then outputs. ``beside``: a
    one-row relation cross-joined to the table where it is read (model-as-data weights)."""
    source: exp.Expression = parse_table(table, policy)
    lw = Lowerer(policy, layout.nan_tested)
    keep_cols = list(dict.fromkeys(layout.keep))
    ctes: list[exp.CTE] = []
    for i, (stage, carry) in enumerate(zip(layout.stages, layout.carry, strict=True)):
        projections: list[exp.Expression] = [column(c) for c in carry]
        for name, e in stage.columns:
            projections.append(exp.Alias(this=lw.lower(e), alias=ident(name)))
        select = _fence(_from(exp.Select(expressions=projections), source, beside if i == 0 else None), policy)
        alias = exp.TableAlias(this=ident(_stage_name(i)))
        ctes.append(exp.CTE(this=select, alias=alias, materialized=True if i in layout.materialized else None))
        source = exp.Table(this=ident(_stage_name(i)))
    projections = [column(c) for c in keep_cols]
    for name, e in layout.outputs:
        projections.append(exp.Alias(this=lw.value(e), alias=ident(name)))
    final = _from(exp.Select(expressions=projections), source, beside if not ctes else None)
    if ctes:
        final.set("with_", exp.With(expressions=ctes))
    return final


def write_expressions(layout: Layout, policy: DialectPolicy) -> dict[str, exp.Expression]:
    """Each output of a layout without stages as a bare expression over the input columns."""
    assert not layout.stages, "bare expressions are written from a fully inlined layout"
    lw = Lowerer(policy, layout.nan_tested)
    return {name: lw.value(e) for name, e in layout.outputs}


def render(node: exp.Expression, policy: DialectPolicy, pretty: bool = False) -> str:
    """SQL text; anything the dialect cannot express raises :class:`UnsupportedDialectError`."""
    try:
        # copy=False: every caller renders a freshly built tree; copying it first doubled the
        # render time of large ensembles.
        return node.sql(dialect=policy.name, unsupported_level=ErrorLevel.RAISE, pretty=pretty, copy=False)
    except UnsupportedError as err:
        raise UnsupportedDialectError(f"dialect {policy.name!r} cannot express this model: {err}") from None


#: Stands for the table in the rendered text, split on afterwards.
_TABLE_MARKER = "skl2sql_relation_marker_0f3a"


def render_around_table(tree: exp.Expression, table: str, policy: DialectPolicy) -> list[str]:
    """The SQL text of ``tree`` cut at every read of the unqualified table ``table`` (a dbt macro
    puts ``{{ relation }}`` there): the table node is located by sqlglot and swapped for a marker,
    never found by searching the text."""
    tree = tree.copy()
    count = 0
    for node in list(tree.find_all(exp.Table)):
        if node.name == table and not node.args.get("db"):
            node.replace(exp.Table(this=exp.Identifier(this=_TABLE_MARKER, quoted=False)))
            count += 1
    pieces = render(tree, policy).split(_TABLE_MARKER)
    if count == 0 or len(pieces) != count + 1:
        raise Skl2SqlError("could not place the input relation in the compiled SQL")
    return pieces
