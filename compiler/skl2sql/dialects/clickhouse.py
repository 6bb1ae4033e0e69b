"""ClickHouse."""

from __future__ import annotations

from .policy import ANSI
from .writers import case_is_nan

__all__ = ["CLICKHOUSE"]

CLICKHOUSE = ANSI.derive(
    "clickhouse",
    dbt_targets=("clickhouse",),
    float32_type="Float32",
    nan_as_null=case_is_nan,  # IEEE comparison
)
