"""SQLite: measured on SQLite 3 (Python's sqlite3)."""

from __future__ import annotations

from .policy import ANSI
from .writers import fence_limit_offset

__all__ = ["SQLITE"]

SQLITE = ANSI.derive(
    "sqlite",
    dbt_targets=("sqlite",),
    float32_type=None,  # only 8-byte REAL
    max_identifier=10_000,
    # CTEs are flattened into their readers (9 stages read 3 times each: 11 s to plan)
    fence=fence_limit_offset,
    # a NaN is stored as NULL: nothing to test
)
