"""Everything skl2sql knows about SQL dialects: one policy per dialect, by family.

sqlglot does the heavy lifting (quoting, function names, type names); the policies add the few
rules that decide whether a number computed by the warehouse equals the one NumPy computed:

- Float literals are written in round-trip (shortest exact) scientific notation, ``1.5E0``: DuckDB,
  MySQL and Spark read a bare ``1.5`` as DECIMAL, but ``1.5E0`` as DOUBLE. PostgreSQL reads even
  ``1.5E0`` as NUMERIC, so one literal of each all-literal CASE is cast (``float_literal_cast``).
- Single-precision casts are only emitted where the dialect has a 4-byte float type.
- String equality is byte-exact like Python's ``==`` (MySQL/MariaDB, SQL Server: binary collation
  and a sentinel against PAD SPACE).
- A stored NaN is a missing value; stages are fenced where engines flatten CTEs; engine limits.

Each family's module (``duckdb.py``, ``postgres.py``, ``sqlite.py``, ``mysql.py``, ``tsql.py``,
``spark.py``, ``clickhouse.py``, ``warehouses.py``) derives its dialects from
:data:`~skl2sql.dialects.policy.ANSI` or from a parent, with the measurement behind each rule.
Every other sqlglot dialect gets the defaults under its own name. The dbt target names, the
package macros' dialect rules (``macros/utils/dialect_rules.sql``, generated from here) and data
mode all read these policies.
"""

from __future__ import annotations

from sqlglot.dialects.dialect import Dialect

from ..errors import UnsupportedDialectError
from .clickhouse import CLICKHOUSE
from .duckdb import DUCKDB
from .mysql import MYSQL
from .policy import ANSI, DialectPolicy
from .postgres import FLUSH_BELOW, MATERIALIZE, POSTGRES, REDSHIFT, RISINGWAVE
from .spark import DATABRICKS, SPARK
from .sqlite import SQLITE
from .tsql import FABRIC, TSQL
from .warehouses import ATHENA, BIGQUERY, ORACLE, PRESTO, SNOWFLAKE, TRINO

__all__ = [
    "DialectPolicy",
    "POLICIES",
    "ALIASES",
    "FLUSH_BELOW",
    "resolve_dialect",
    "available_dialects",
    "dialect_for_dbt_target",
    "dbt_target_type",
    "dbt_targets",
]

#: The dialects with rules of their own, by sqlglot name.
POLICIES: dict[str, DialectPolicy] = {
    p.name: p
    for p in (
        DUCKDB, POSTGRES, REDSHIFT, MATERIALIZE, RISINGWAVE, SQLITE, MYSQL, TSQL, FABRIC, SPARK,
        DATABRICKS, CLICKHOUSE, SNOWFLAKE, BIGQUERY, TRINO, PRESTO, ATHENA, ORACLE,
    )
}

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
    return POLICIES.get(key) or ANSI.derive(key)


def dbt_targets() -> dict[str, str]:
    """Every dbt ``target.type`` skl2sql knows -> its sqlglot dialect."""
    return {t: p.name for p in POLICIES.values() for t in p.dbt_targets}


def dialect_for_dbt_target(target_type: str) -> str:
    """sqlglot dialect for a dbt ``target.type``."""
    known = dbt_targets()
    try:
        return known[target_type.lower()]
    except KeyError:
        raise UnsupportedDialectError(
            f"no SQL dialect known for dbt target type {target_type!r}; known: {', '.join(sorted(known))}"
        ) from None


def dbt_target_type(dialect: str) -> str:
    """The dbt ``target.type`` for a user-supplied name: a dbt adapter type (``sqlserver``) or a
    sqlglot dialect/alias (``tsql``, ``postgresql``): the first adapter of that dialect."""
    key = dialect.strip().lower()
    if key in dbt_targets():
        return key
    policy = resolve_dialect(key)
    if not policy.dbt_targets:
        raise UnsupportedDialectError(f"no dbt adapter is known for the SQL dialect {dialect!r}")
    return policy.dbt_targets[0]
