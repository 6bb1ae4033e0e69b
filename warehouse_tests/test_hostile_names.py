"""Hostile column names, keep columns and class labels on every engine of the matrix.

Names with quotes, backticks, brackets, ``;``, comment markers, a newline, unicode and 200
characters: the SQL is one statement (parsed back by sqlglot in the engine's dialect, and run by
the engine), it scores exactly as scikit-learn, and a table it was meant to drop is still there.
A name longer than the engine's identifier limit (PostgreSQL 63 bytes, MariaDB 64) is a
SchemaError at compile time: PostgreSQL would otherwise truncate it silently when the table is made.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlglot
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import skl2sql
from engines import Engine
from parity import check_parity

NAMES = ["it's", 'say "hi"', "back`tick", "[bracket]", "semi;colon", "dash--dash", "/*c*/ x", "new\nline", "naïve 日本"]
LONG = "L" * 200
LABELS = ["yes it's", 'no "way"; -- drop']
CATEGORIES = ["a'b", "c;--d", "日本", "x\ny"]


def _model(names: list[str]) -> tuple[Any, pd.DataFrame]:
    rng = np.random.default_rng(5)
    X = pd.DataFrame(rng.normal(size=(120, len(names))), columns=names)
    X["cat ' --"] = rng.choice(np.asarray(CATEGORIES, dtype=object), 120)
    y = np.where(X[names[0]] + (X["cat ' --"] == "日本") > 0.3, LABELS[0], LABELS[1])
    pre = ColumnTransformer([("num", StandardScaler(), names), ("cat", OneHotEncoder(handle_unknown="ignore"), ["cat ' --"])])
    return make_pipeline(pre, LogisticRegression(max_iter=2000)).fit(X, y), X


@pytest.mark.parametrize("long_name", [False, True], ids=["short", "200_chars"])
def test_hostile_names_score_exactly_as_one_statement(engine: Engine, long_name: bool) -> None:
    names = NAMES + ([LONG] if long_name else [])
    est, X = _model(names)
    if long_name and engine.name in ("postgres", "mariadb"):
        with pytest.raises(skl2sql.SchemaError, match="identifier limit"):
            skl2sql.compile(est, table="t", dialect=engine.dialect)
        return
    sentinel = engine.new_table_name("keep")
    engine.create_table(sentinel, {"v": [42]})
    try:
        compiled = check_parity(est, X.iloc[:40], engine)
        statements = [s for s in sqlglot.parse(compiled.sql, dialect=engine.dialect) if s is not None]
        assert len(statements) == 1
        assert engine.query(f"SELECT v FROM {sentinel}")["v"].tolist() == [42]
    finally:
        engine.drop_table(sentinel)
    assert set(compiled.classes.values()) == set(LABELS)


@pytest.mark.parametrize("dialect", ["snowflake", "bigquery", "spark", "databricks", "tsql", "trino", "clickhouse", "redshift"])
def test_hostile_names_parse_back_as_one_statement(dialect: str) -> None:
    est, _ = _model(NAMES)
    sql = skl2sql.compile(est, table="analytics.customers", dialect=dialect, keep=["id; --"]).sql
    statements = [s for s in sqlglot.parse(sql, dialect=dialect) if s is not None]
    assert len(statements) == 1


@pytest.mark.parametrize("table", ['scores "2026"; -- x', "it's`[t]", "naïve\ttab"])
def test_hostile_table_names_on_every_engine(engine: Engine, table: str) -> None:
    """A table name written in the engine's own quotes is read as one identifier: the SQL runs,
    scores every row and drops nothing."""
    from sqlglot import exp

    est, X = _model(NAMES)
    rows = X.iloc[:10]
    columns: dict[str, list[Any]] = {"row_id": list(range(len(rows)))}
    columns.update({c: rows[c].tolist() for c in rows.columns})
    engine.create_table(table, columns)
    try:
        quoted = exp.to_identifier(table, quoted=True).sql(dialect=engine.dialect)
        compiled = skl2sql.compile(est, table=quoted, dialect=engine.dialect, keep=["row_id"])
        assert len([s for s in sqlglot.parse(compiled.sql, dialect=engine.dialect) if s is not None]) == 1
        got = engine.query(compiled.sql)
    finally:
        engine.drop_table(table)
    order = np.argsort(got["row_id"].astype(float))
    np.testing.assert_allclose(got[compiled.outputs[-1]][order].astype(float), est.predict_proba(rows)[:, -1],
                               rtol=1e-9, atol=1e-9)
