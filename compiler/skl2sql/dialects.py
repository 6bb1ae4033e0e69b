"""Everything skl2sql knows about SQL dialects, in one place.

sqlglot does the heavy lifting (quoting, function names, type names); this module adds the few
rules that decide whether a number computed by the warehouse equals the one NumPy computed:

- Float literals are written in round-trip (shortest exact) scientific notation, ``1.5E0``: DuckDB,
  MySQL and Spark read a bare ``1.5`` as DECIMAL, but ``1.5E0`` as DOUBLE.
- PostgreSQL and Redshift read even ``1.5E0`` as NUMERIC. Compared with a DOUBLE column that is
  harmless (it is cast), but a ``CASE`` whose branches are all literals would be NUMERIC and every
  sum over it exact-decimal arithmetic: one literal of each such CASE (and array) is cast to
  ``FLOAT8``, which types the whole CASE DOUBLE; the others are coerced when the query is planned.
- Single-precision casts are only emitted where the dialect has a 4-byte float type.
- dbt ``target.type`` names map to sqlglot dialect names.
- String equality is byte-exact like Python's ``==``: MySQL/MariaDB and SQL Server default
  collations are case- and accent-insensitive and ignore trailing spaces (``'a' = 'A '`` is true),
  so category literals there carry a binary collation and both sides get a non-space sentinel
  appended (see :class:`DialectPolicy`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlglot.dialects.dialect import Dialect

from .errors import UnsupportedDialectError

__all__ = ["DialectPolicy", "resolve_dialect", "available_dialects", "dialect_for_dbt_target", "ALIASES"]

#: Friendly names users type, mapped to sqlglot dialect names.
ALIASES: dict[str, str] = {
    "postgresql": "postgres",
    "pg": "postgres",
    "mariadb": "mysql",
    "mssql": "tsql",
    "sqlserver": "tsql",
    "synapse": "tsql",
    "spark_sql": "spark",
    "ch": "clickhouse",
}

#: Dialects whose numeric literals with a decimal point or exponent are NUMERIC, not DOUBLE, and
#: the shortest name of their DOUBLE type for the casts that type such literals (``FLOAT8`` is
#: 8 bytes shorter than ``DOUBLE PRECISION``, and a forest has thousands of them).
_NUMERIC_LITERALS: dict[str, str] = {
    "postgres": "FLOAT8",
    "redshift": "FLOAT8",
    "materialize": "FLOAT8",
    "risingwave": "FLOAT8",
}

#: Single-precision type name per dialect; dialects absent here have no 4-byte float.
_FLOAT32: dict[str, str] = {
    "duckdb": "REAL",
    "postgres": "REAL",
    "redshift": "REAL",
    "sqlite": "",  # SQLite has only 8-byte REAL
    "mysql": "FLOAT",
    "tsql": "FLOAT(24)",  # sqlglot writes T-SQL REAL as FLOAT, which is FLOAT(53): a double
    "clickhouse": "Float32",
    "spark": "FLOAT",
    "databricks": "FLOAT",
    "trino": "REAL",
    "presto": "REAL",
}

#: dbt adapter ``target.type`` -> sqlglot dialect.
_DBT_TARGETS: dict[str, str] = {
    "duckdb": "duckdb",
    "postgres": "postgres",
    "redshift": "redshift",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "databricks": "databricks",
    "spark": "spark",
    "trino": "trino",
    "sqlserver": "tsql",
    "fabric": "fabric",
    "synapse": "tsql",
    "clickhouse": "clickhouse",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "oracle": "oracle",
    "athena": "athena",
}


#: How to keep an engine from merging a stage (CTE) into its consumer. PostgreSQL, SQLite and
#: MariaDB flatten CTEs and *copy* each column's expression into every place that reads it, so a
#: chain of stages each read several times grows exponentially (measured: 9 stages read 3 times
#: each took 39 s to plan on PostgreSQL, 11 s on SQLite, 4 s on MariaDB, against 0.04 s on DuckDB;
#: a QuantileTransformer pipeline ran PostgreSQL out of memory). Engines do not flatten a
#: sub-select with OFFSET (PostgreSQL, SQLite: streamed, not materialized) or LIMIT (MariaDB).
_CTE_FENCE: dict[str, str] = {
    "postgres": "offset",
    "redshift": "offset",
    "materialize": "offset",
    "risingwave": "offset",
    "sqlite": "limit_offset",
    "mysql": "limit",
}

#: Longest identifier each engine keeps; PostgreSQL silently truncates longer names, which could
#: merge two output columns, so compile refuses them instead.
_MAX_IDENTIFIER: dict[str, int] = {
    "postgres": 63,
    "redshift": 127,
    "mysql": 64,
    "oracle": 128,
    "tsql": 128,
    "sqlite": 10_000,
    "duckdb": 10_000,
}


#: Binary collation attached to string literals in ``=`` / ``<>`` / ``IN`` comparisons, for dialects
#: whose default collations are case-insensitive. The collation goes on the *literal*, not the
#: column: a column in another character set (latin1) is then converted to the literal's set,
#: whereas ``column COLLATE utf8mb4_bin`` is an error for a latin1 column and ``BINARY column``
#: compares latin1 bytes with UTF-8 bytes (measured on MariaDB 10.11: 'rëd' never matches).
_BINARY_COLLATION: dict[str, str] = {
    "mysql": "utf8mb4_bin",
    "tsql": "Latin1_General_100_BIN2",
}

#: Dialects whose string ``=`` ignores trailing spaces even under a binary collation (PAD SPACE
#: collations; SQL Server's ANSI padding), so a non-space sentinel is appended to both sides.
_PAD_SPACE = frozenset({"mysql", "tsql"})

#: Dialects whose 1-based array literals are indexed with IR lookups (the per-class values of a
#: forest leaf). Measured on DuckDB and PostgreSQL; elsewhere the lookups' fallback (a CASE) is
#: written, which every engine runs.
_ARRAY_LOOKUP = frozenset({"duckdb", "postgres"})

#: CASE branches one pipeline may hold before a stage is materialized (``AS MATERIALIZED``), for
#: engines that push each vector through every stage of a query: see :mod:`skl2sql.plan.pipeline_breaks`.
#: Measured on DuckDB 2.0 (2-core EPYC, 1,000,000 rows, forests and boosting on 20 features):
#: 400-700 branches per pipeline ran fastest (RandomForest 100x8: 8.2 s unbroken, 5.7 s at 500,
#: 6.5 s at 1,000, 7.0 s at 1,500, 7.1 s at 150, where copying the rows between pipelines starts
#: to cost more than the cache saves).
_PIPELINE_BUDGET: dict[str, int] = {"duckdb": 500}

#: Most WITH elements (CTEs) one query may have. MariaDB refuses a 65th ("Too many WITH elements
#: in WITH clause", measured on 10.11); see :mod:`skl2sql.plan.with_limit`.
_MAX_WITH_ELEMENTS: dict[str, int] = {"mysql": 64}

#: How each engine that can *store* NaN in a float column is told it apart, so an input NaN is read
#: as NULL (sklearn's missing value) instead of a number. ``nullif``: ``NaN = NaN`` is true there
#: (PostgreSQL and DuckDB also sort NaN above every number), so ``NULLIF(x, 'NaN')`` does it in one
#: step; ``isnan``: IEEE comparison (``NaN = NaN`` is false), so ``CASE WHEN IS_NAN(x) THEN NULL``.
#: Engines absent here keep no NaN in their float types (SQLite stores it as NULL; MySQL, MariaDB
#: and SQL Server refuse it) or were not checked (Oracle's BINARY_DOUBLE: ``x IS NAN``, which sqlglot
#: cannot write); see docs/design.md.
#: Engines that raise "value out of range: underflow" when a product or quotient of non-zero
#: doubles rounds to zero (PostgreSQL's float8mul/float8div; its forks), failing the whole query:
#: an input of 1e-310 times a weight of 1e-20, or 1e-200 squared. There every input an estimator
#: reads as a finite number (``ir.Cast.flush``: the reads that feed arithmetic, not the inputs
#: trees and boosters only compare) is written as 0 when its magnitude is below this (2**-511),
#: so that a product of two such reads, or of one with a weight, stays in range. The change is
#: below 1e-154 in absolute value, inside every tolerance.
FLUSH_BELOW = 2.0**-511
_FLUSH_TINY: frozenset[str] = frozenset({"postgres", "redshift", "materialize", "risingwave"})

_NAN_TEST: dict[str, str] = {
    "duckdb": "nullif",
    "postgres": "nullif",
    "redshift": "nullif",
    "materialize": "nullif",
    "risingwave": "nullif",
    "snowflake": "nullif",
    "spark": "nullif",
    "databricks": "nullif",
    "bigquery": "isnan",
    "trino": "isnan",
    "presto": "isnan",
    "athena": "isnan",
    "clickhouse": "isnan",
}

#: Fewest text categories for which a category CASE is written as a list lookup (see
#: :mod:`skl2sql.lowering.category_lists`): DuckDB evaluates ``list_position`` once per distinct value of a
#: dictionary-compressed vector. Below this a CASE is as fast on stored tables and faster on
#: uncompressed in-memory ones (measured on DuckDB 2.0: 6 categories 9.2 ms as CASE, 8.1 ms as list
#: per million stored rows; 12 categories 11.7 vs 8.2; in memory 15.8 vs 20.2 at 12, even at 50).
_CATEGORY_LIST_MIN: dict[str, int] = {"duckdb": 10}

#: Dialects where a string literal holding non-ASCII text must be written N'...' to keep it
#: Unicode (a plain literal is converted to the database code page).
_NATIONAL_LITERALS = frozenset({"tsql"})


@dataclass(frozen=True)
class DialectPolicy:
    """The resolved dialect and the rules the lowering applies for it.

    ``float_literal_cast``: the DOUBLE type a float literal is cast to where it would type a CASE
    or an array (None: the dialect reads ``1.5E0`` as DOUBLE; see _NUMERIC_LITERALS).
    ``binary_collation``: collation put on string literals compared for equality, so the compare
    is case- and accent-sensitive like Python's ``==`` (None: the default is already exact).
    ``pad_space``: ``=`` ignores trailing spaces, so both sides get a sentinel character appended.
    ``national_literals``: compared string literals are written ``N'...'``.
    ``cte_fence``: how each stage is kept from being flattened into its readers (see _CTE_FENCE).
    ``array_lookup``: ``[v1, v2, ...][i]`` is written for IR lookups (see _ARRAY_LOOKUP).
    ``pipeline_budget``: CASE branches per pipeline before a stage is materialized (None: never;
    see _PIPELINE_BUDGET).
    ``max_with_elements``: most CTEs in one query (None: no known limit; see _MAX_WITH_ELEMENTS).
    ``nan_test``: how a stored NaN in an input column is recognised and read as NULL (None: the
    engine stores no NaN; see _NAN_TEST).
    ``category_list_min``: a CASE mapping at least this many text categories to constants is
    written as a list lookup (None: always a CASE; see _CATEGORY_LIST_MIN).
    ``flush_tiny``: inputs read as numbers with a smaller magnitude are read as 0 (the engine
    raises on underflow; see _FLUSH_TINY).
    """

    name: str
    float_literal_cast: str | None
    float32_type: str | None
    max_identifier: int = 255
    binary_collation: str | None = None
    pad_space: bool = False
    national_literals: bool = False
    cte_fence: str | None = None
    array_lookup: bool = False
    pipeline_budget: int | None = None
    max_with_elements: int | None = None
    nan_test: str | None = None
    category_list_min: int | None = None
    flush_tiny: float | None = None

    @property
    def sqlglot_dialect(self) -> str:
        return self.name

    def unbatched(self) -> DialectPolicy:
        """This policy for SQL that will be a view queried with filters: no pipeline breaks,
        which a filter on the view could not pass (see ``compile(batch=False)``)."""
        return replace(self, pipeline_budget=None)


def available_dialects() -> list[str]:
    """sqlglot dialect names skl2sql can target, sorted."""
    return sorted(k for k in Dialect.classes if k)


def resolve_dialect(dialect: str) -> DialectPolicy:
    """Resolve a user-supplied dialect name (case-insensitive, aliases allowed)."""
    if not isinstance(dialect, str) or not dialect.strip():
        raise UnsupportedDialectError(f"dialect must be a non-empty string, got {dialect!r}")
    key = dialect.strip().lower()
    key = ALIASES.get(key, key)
    if key not in Dialect.classes or not key:
        raise UnsupportedDialectError(
            f"unknown SQL dialect {dialect!r}; known dialects: {', '.join(available_dialects())}"
        )
    f32 = _FLOAT32.get(key)
    return DialectPolicy(
        name=key,
        float_literal_cast=_NUMERIC_LITERALS.get(key),
        float32_type=f32 or None,
        max_identifier=_MAX_IDENTIFIER.get(key, 255),
        binary_collation=_BINARY_COLLATION.get(key),
        pad_space=key in _PAD_SPACE,
        national_literals=key in _NATIONAL_LITERALS,
        cte_fence=_CTE_FENCE.get(key),
        array_lookup=key in _ARRAY_LOOKUP,
        pipeline_budget=_PIPELINE_BUDGET.get(key),
        max_with_elements=_MAX_WITH_ELEMENTS.get(key),
        nan_test=_NAN_TEST.get(key),
        category_list_min=_CATEGORY_LIST_MIN.get(key),
        flush_tiny=FLUSH_BELOW if key in _FLUSH_TINY else None,
    )


def dialect_for_dbt_target(target_type: str) -> str:
    """sqlglot dialect for a dbt ``target.type``."""
    try:
        return _DBT_TARGETS[target_type.lower()]
    except KeyError:
        raise UnsupportedDialectError(
            f"no SQL dialect known for dbt target type {target_type!r}; "
            f"known: {', '.join(sorted(_DBT_TARGETS))}"
        ) from None
