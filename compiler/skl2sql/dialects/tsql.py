"""SQL Server (T-SQL) and Azure Synapse; Fabric is its own sqlglot dialect with the defaults (not checked)."""

from __future__ import annotations

from .policy import ANSI

__all__ = ["TSQL", "FABRIC"]

TSQL = ANSI.derive(
    "tsql",
    dbt_targets=("sqlserver", "synapse"),
    float32_type="FLOAT(24)",  # sqlglot writes T-SQL REAL as FLOAT, which is FLOAT(53): a double
    max_identifier=128,
    # default collations are case-insensitive and '=' ignores trailing spaces (ANSI padding)
    binary_collation="Latin1_General_100_BIN2",
    pad_space=True,
    # a plain literal is converted to the database code page; N'...' keeps non-ASCII text
    national_literals=True,
    # float types refuse NaN: nothing to test
)

FABRIC = ANSI.derive("fabric", dbt_targets=("fabric",))
