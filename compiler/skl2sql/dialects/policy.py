"""The shape of a dialect's rules: :class:`DialectPolicy`, and the default every dialect starts from.

A policy holds values (type names, limits) and *functions* that write a dialect's constructs
(how a stored NaN is read as NULL, how a stage is kept from being flattened), so the lowering
calls them instead of interpreting strategy names. A dialect is derived from its parent
(:meth:`DialectPolicy.derive`: Redshift from PostgreSQL, Databricks from Spark, Presto from
Trino) and states only what differs, in its family's module, with the measurement behind each rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlglot import exp

__all__ = ["DialectPolicy", "ANSI", "NanAsNull", "Fence"]

#: Writes an input read as a double with a stored NaN turned into NULL.
NanAsNull = Callable[[exp.Expression], exp.Expression]
#: Keeps a stage's SELECT from being flattened into its readers (changes it in place, returns it).
Fence = Callable[[exp.Select], exp.Select]


@dataclass(frozen=True)
class DialectPolicy:
    """One dialect's rules, as the planning passes and the lowering apply them.

    ``name``: the sqlglot dialect. ``parent``: the dialect it was derived from (None for the
    default). ``dbt_targets``: the dbt adapter ``target.type`` names that write this dialect.
    ``float_literal_cast``: the DOUBLE type a float literal is cast to where it would type a CASE
    or an array (None: the dialect reads ``1.5E0`` as DOUBLE).
    ``float32_type``: the 4-byte float type (None: the dialect has none; float32 models refuse it).
    ``max_identifier``: longest identifier the engine keeps (compile refuses longer names).
    ``binary_collation``: collation put on string literals compared for equality, so the compare
    is case- and accent-sensitive like Python's ``==`` (None: the default is already exact).
    ``pad_space``: ``=`` ignores trailing spaces, so both sides get a sentinel character appended.
    ``national_literals``: compared string literals are written ``N'...'``.
    ``fence``: keeps each stage from being flattened into its readers (None: the engine does not
    copy CTEs into their readers).
    ``array_lookup``: ``[v1, v2, ...][i]`` is written for IR lookups (else their CASE fallbacks).
    ``pipeline_budget``: CASE branches per pipeline before a stage is materialized (None: never).
    ``max_with_elements``: most CTEs in one query (None: no known limit).
    ``nan_as_null``: how a stored NaN in an input column is read as NULL (None: the engine stores
    no NaN in its float types).
    ``category_list_min``: a CASE mapping at least this many text categories to constants is
    written as a list lookup (None: always a CASE).
    ``flush_tiny``: inputs read as numbers with a smaller magnitude are read as 0 (the engine
    raises on underflow).
    """

    name: str
    parent: str | None = None
    dbt_targets: tuple[str, ...] = ()
    float_literal_cast: str | None = None
    float32_type: str | None = None
    max_identifier: int = 255
    binary_collation: str | None = None
    pad_space: bool = False
    national_literals: bool = False
    fence: Fence | None = field(default=None, compare=False)
    array_lookup: bool = False
    pipeline_budget: int | None = None
    max_with_elements: int | None = None
    nan_as_null: NanAsNull | None = field(default=None, compare=False)
    category_list_min: int | None = None
    flush_tiny: float | None = None

    @property
    def sqlglot_dialect(self) -> str:
        return self.name

    def derive(self, name: str, **changes: Any) -> DialectPolicy:
        """A dialect of this family: these rules, with ``changes``. dbt targets are not
        inherited (each adapter names its own)."""
        changes.setdefault("dbt_targets", ())
        return replace(self, name=name, parent=self.name, **changes)

    def unbatched(self) -> DialectPolicy:
        """This policy for SQL that will be a view queried with filters: no pipeline breaks,
        which a filter on the view could not pass (see ``compile(batch=False)``)."""
        return replace(self, pipeline_budget=None)


#: The default: what a dialect gets for every rule no measurement changed (sqlglot's other
#: dialects get exactly this under their own name).
ANSI = DialectPolicy(name="")
