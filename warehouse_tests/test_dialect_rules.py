"""Each dialect's rules, as the SQL it writes, in the style of sqlglot's dialect tests.

One small model per rule, compiled for the dialect, and the text the rule must (or must not)
produce; plus the family tree (a derived dialect keeps its parent's rules except what it
states) and the dbt target names. Whether the rule is *right* on an engine is the parity
matrix's job; this says which dialect gets which rule, so a change to one policy cannot
silently move another.
"""

from __future__ import annotations

import functools
from dataclasses import fields
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

import skl2sql
from skl2sql import dialects
from skl2sql.dialects import POLICIES, dbt_target_type, dialect_for_dbt_target, resolve_dialect
from skl2sql.errors import SchemaError, UnsupportedDialectError


def _numeric() -> Any:
    """An imputer in front: a stored NaN must be read as missing (the NaN test is written)."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60)})
    return make_pipeline(SimpleImputer(), LogisticRegression()).fit(X, (X["a"] > 0).astype(int))


def _categories(n: int) -> Any:
    X = pd.DataFrame({"c": [f"k{i % n}" for i in range(4 * n)]})
    y = [i % 2 for i in range(4 * n)]
    return make_pipeline(OneHotEncoder(handle_unknown="ignore"), LogisticRegression()).fit(X, y)


def _forest() -> Any:
    """Large enough that DuckDB breaks its pipeline (more than 500 CASE branches)."""
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(size=1000), "b": rng.normal(size=1000)})
    y = ((X["a"] > X["b"]) ^ (rng.random(1000) < 0.2)).astype(int)
    return RandomForestClassifier(n_estimators=8, max_depth=8, random_state=0).fit(X, y)


MODELS = {"numeric": _numeric, "categories": lambda: _categories(3), "many_categories": lambda: _categories(12),
          "forest": _forest}
_built: dict[str, Any] = {}


@functools.cache
def sql(model: str, dialect: str) -> str:
    """The model's SQL for the dialect, compiled once per test session and worker."""
    if model not in _built:
        _built[model] = MODELS[model]()
    return skl2sql.compile(_built[model], table="t", dialect=dialect).sql


#: (dialect, model, text that must appear, text that must not)
RULES = [
    # a stored NaN is NULL: NULLIF where NaN = NaN holds, IS_NAN where comparison is IEEE
    ("duckdb", "numeric", "NULLIF(CAST(\"a\" AS DOUBLE), CAST('NaN' AS DOUBLE))", None),
    ("postgres", "numeric", "CAST('NaN' AS DOUBLE PRECISION)", None),
    ("redshift", "numeric", "CAST('NaN' AS DOUBLE PRECISION)", None),
    ("spark", "numeric", "NULLIF(", None),
    ("databricks", "numeric", "NULLIF(", None),
    ("snowflake", "numeric", "NULLIF(", None),
    ("bigquery", "numeric", "IS_NAN(", "NULLIF"),
    ("trino", "numeric", "IS_NAN(", "NULLIF"),
    ("clickhouse", "numeric", "isNaN(", "NULLIF"),
    ("sqlite", "numeric", None, "NaN"),
    ("mysql", "numeric", None, "NaN"),
    ("tsql", "numeric", None, "NaN"),
    # PostgreSQL's family raises on underflow: tiny inputs read as 0
    ("postgres", "numeric", "ABS(CAST(\"a\" AS DOUBLE PRECISION)) < 1.4916681462400413E-154 THEN CAST(0E0 AS FLOAT8)", None),
    ("redshift", "numeric", "< 1.4916681462400413E-154 THEN", None),
    ("duckdb", "numeric", None, "E-154"),
    # stages fenced where the engine flattens CTEs into their readers
    ("postgres", "forest", "OFFSET 0", "LIMIT"),
    ("sqlite", "forest", "LIMIT -1 OFFSET 0", None),
    ("mysql", "forest", "LIMIT 18446744073709551615", "OFFSET"),
    ("duckdb", "forest", None, "OFFSET"),
    # a forest's per-class leaf values: array lookups where arrays are indexed, CASEs elsewhere
    ("duckdb", "forest", "][", None),
    ("postgres", "forest", "(ARRAY[", None),
    ("redshift", "forest", None, "ARRAY["),
    ("sqlite", "forest", None, "["),
    # DuckDB breaks the pipeline of a large forest
    ("duckdb", "forest", "AS MATERIALIZED", None),
    ("postgres", "forest", None, "MATERIALIZED"),
    # exact string equality: binary collation and a PAD SPACE sentinel; national literals
    ("mysql", "categories", "'k0.' COLLATE utf8mb4_bin", None),
    ("tsql", "categories", "N'k0.' COLLATE Latin1_General_100_BIN2", None),
    ("postgres", "categories", "= 'k0'", "COLLATE"),
    # DuckDB writes ten or more categories as a list lookup, fewer as a CASE
    ("duckdb", "many_categories", "ARRAY_POSITION(", None),
    ("duckdb", "categories", None, "ARRAY_POSITION("),
    ("postgres", "many_categories", None, "ARRAY_POSITION("),
]


@pytest.mark.parametrize(("dialect", "model", "present", "absent"), RULES,
                         ids=[f"{d}-{m}-{i}" for i, (d, m, _, _) in enumerate(RULES)])
def test_rule(dialect: str, model: str, present: str | None, absent: str | None) -> None:
    text = sql(model, dialect)
    if present is not None:
        assert present in text, f"{dialect}: {present!r} not in SQL"
    if absent is not None:
        assert absent not in text, f"{dialect}: {absent!r} in SQL"


def test_float_literals_typing_a_case_are_cast_only_where_literals_are_numeric() -> None:
    assert "AS FLOAT8)" in sql("forest", "postgres")
    for d in ("duckdb", "mysql", "sqlite", "tsql", "spark"):
        assert "FLOAT8" not in sql("forest", d)


@pytest.mark.parametrize(("dialect", "type_name"), [
    ("duckdb", "REAL"), ("postgres", "REAL"), ("mysql", "FLOAT"), ("tsql", "FLOAT(24)"), ("spark", "FLOAT"),
    ("databricks", "FLOAT"), ("clickhouse", "Float32"), ("trino", "REAL"),
])
def test_single_precision_type(dialect: str, type_name: str) -> None:
    assert resolve_dialect(dialect).float32_type == type_name


@pytest.mark.parametrize("dialect", ["sqlite", "snowflake", "bigquery"])
def test_no_single_precision_type(dialect: str) -> None:
    """A float32 cast (no assembler writes one now: thresholds are rounded at compile time) is
    refused where the dialect has no 4-byte float."""
    from skl2sql import ir
    from skl2sql.lowering import lower_expr

    assert resolve_dialect(dialect).float32_type is None
    with pytest.raises(UnsupportedDialectError, match=dialect):
        lower_expr(ir.Cast(ir.Column("a"), "float32"), resolve_dialect(dialect))


@pytest.mark.parametrize(("dialect", "limit"), [("postgres", 63), ("mysql", 64), ("redshift", 127), ("tsql", 128)])
def test_identifier_limit(dialect: str, limit: int) -> None:
    X = pd.DataFrame({"x" * (limit + 1): [0.0, 1.0, 2.0, 3.0]})
    model = LogisticRegression().fit(X, [0, 1, 0, 1])
    with pytest.raises(SchemaError, match=f"{limit}-byte"):
        skl2sql.compile(model, table="t", dialect=dialect)
    X.columns = ["x" * limit]
    skl2sql.compile(LogisticRegression().fit(X, [0, 1, 0, 1]), table="t", dialect=dialect)


def test_derived_dialects_keep_their_parents_rules() -> None:
    """A derived dialect differs from its parent only in what its module states."""
    own = {
        "redshift": {"max_identifier", "array_lookup"},
        "materialize": {"float32_type", "max_identifier", "array_lookup"},
        "risingwave": {"float32_type", "max_identifier", "array_lookup"},
        "databricks": set(),
        "presto": set(),
        "athena": {"float32_type"},
    }
    for name, changed in own.items():
        child = POLICIES[name]
        assert child.parent is not None
        parent = POLICIES[child.parent]
        differ = {f.name for f in fields(child) if getattr(child, f.name) != getattr(parent, f.name)}
        assert differ - {"name", "parent", "dbt_targets"} == changed, name
    assert POLICIES["redshift"].parent == "postgres" and POLICIES["databricks"].parent == "spark"


def test_other_sqlglot_dialects_get_the_defaults() -> None:
    hive = resolve_dialect("hive")
    assert hive.name == "hive" and hive.nan_as_null is None and hive.fence is None and hive.max_identifier == 255


def test_dbt_targets() -> None:
    assert dialect_for_dbt_target("sqlserver") == "tsql" and dialect_for_dbt_target("synapse") == "tsql"
    assert dialect_for_dbt_target("mariadb") == "mysql" and dialect_for_dbt_target("Databricks") == "databricks"
    assert dbt_target_type("tsql") == "sqlserver" and dbt_target_type("postgresql") == "postgres"
    assert dbt_target_type("mariadb") == "mariadb"
    with pytest.raises(UnsupportedDialectError, match="dbt target type 'hive'"):
        dialect_for_dbt_target("hive")
    with pytest.raises(UnsupportedDialectError, match="no dbt adapter"):
        dbt_target_type("materialize")
    # every dbt target names a dialect with a policy of its own
    assert set(dialects.dbt_targets().values()) <= set(POLICIES)
