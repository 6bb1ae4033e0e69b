"""The cloud warehouses the suite cannot reach (Snowflake, BigQuery, Trino and its family, Oracle).

Their rules come from their documentation, not from a measurement; each says which.
"""

from __future__ import annotations

from .policy import ANSI
from .writers import case_is_nan, nullif_nan

__all__ = ["SNOWFLAKE", "BIGQUERY", "TRINO", "PRESTO", "ATHENA", "ORACLE"]

SNOWFLAKE = ANSI.derive("snowflake", dbt_targets=("snowflake",), nan_as_null=nullif_nan)  # NaN = NaN is true
BIGQUERY = ANSI.derive("bigquery", dbt_targets=("bigquery",), nan_as_null=case_is_nan)  # IEEE comparison
TRINO = ANSI.derive("trino", dbt_targets=("trino",), float32_type="REAL", nan_as_null=case_is_nan)
PRESTO = TRINO.derive("presto", dbt_targets=("presto",))
ATHENA = TRINO.derive("athena", dbt_targets=("athena",), float32_type=None)
# BINARY_DOUBLE keeps NaN (``x IS NAN``, which sqlglot cannot write): not tested, as before
ORACLE = ANSI.derive("oracle", dbt_targets=("oracle",), max_identifier=128)
