"""Spark SQL and Databricks (which runs Spark's SQL engine)."""

from __future__ import annotations

from .policy import ANSI
from .writers import nullif_nan

__all__ = ["SPARK", "DATABRICKS"]

SPARK = ANSI.derive(
    "spark",
    dbt_targets=("spark",),
    float32_type="FLOAT",
    # NaN = NaN is true in Spark SQL
    nan_as_null=nullif_nan,
)

DATABRICKS = SPARK.derive("databricks", dbt_targets=("databricks",))
