"""DuckDB: the demo's engine and the fastest of the matrix; measured on DuckDB 2.0 (2-core EPYC)."""

from __future__ import annotations

from .policy import ANSI
from .writers import nullif_nan

__all__ = ["DUCKDB"]

DUCKDB = ANSI.derive(
    "duckdb",
    dbt_targets=("duckdb",),
    float32_type="REAL",
    max_identifier=10_000,
    # 1-based array literals indexed by an integer: a forest's per-class leaf values are read
    # from one CASE giving the leaf number (~1.5x faster for binary forests than a CASE per class)
    array_lookup=True,
    # DuckDB pushes each 2,048-row vector through every stage of a query, so past ~1,000 CASE
    # branches per pipeline their state falls out of cache; 400-700 branches per pipeline ran
    # fastest (1,000,000 rows, forests and boosting on 20 features; RandomForest 100x8: 8.2 s
    # unbroken, 5.7 s at 500, 6.5 s at 1,000, 7.0 s at 1,500, 7.1 s at 150, where copying rows
    # between pipelines starts to cost more than the cache saves). See plan/pipeline_breaks.py.
    pipeline_budget=500,
    # NaN = NaN is true and NaN sorts above every number
    nan_as_null=nullif_nan,
    # list_position is evaluated once per distinct value of a dictionary-compressed vector:
    # 6 categories 9.2 ms as CASE, 8.1 ms as list per million stored rows; 12 categories 11.7 vs
    # 8.2; in memory 15.8 vs 20.2 at 12, even at 50 (see lowering/category_lists.py)
    category_list_min=10,
)
