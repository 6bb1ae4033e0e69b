"""Typed errors and hostile names.

Every mistake a user can make with ``skl2sql.compile`` must surface as a subclass of
:class:`skl2sql.Skl2SqlError` whose message names the thing at fault (the estimator class, the
dialect, the column), so callers can catch one class and users can act on the message. Names that
look like SQL (``a"; drop table x; --``) must end up as quoted identifiers: the SQL runs and
nothing else in the database is touched.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skl2sql
from engines import register_sqlite_math
from skl2sql import (
    ModelLoadError,
    SchemaError,
    Skl2SqlError,
    UnsupportedDialectError,
    UnsupportedEstimatorError,
)

HOSTILE = 'a"; drop table x; --'


@pytest.fixture(scope="module")
def array_model() -> LinearRegression:
    """Fitted on a NumPy array: no ``feature_names_in_``."""
    X = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 1.0], [2.0, 2.0, 0.0], [3.0, 1.0, 1.0]])
    return LinearRegression().fit(X, [1.0, 2.0, 0.5, 4.0])


@pytest.fixture(scope="module")
def frame_model() -> Any:
    rng = np.random.default_rng(0)
    X = pd.DataFrame({HOSTILE: rng.normal(size=60), "it's": rng.normal(size=60)})
    y = (X[HOSTILE] - X["it's"] > 0).astype(int)
    return make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y), X


def test_error_hierarchy() -> None:
    for cls in (UnsupportedEstimatorError, UnsupportedDialectError, SchemaError, ModelLoadError):
        assert issubclass(cls, Skl2SqlError)
        assert cls is not Skl2SqlError
    assert issubclass(Skl2SqlError, Exception)


def test_unsupported_estimator_names_class_and_lists_supported() -> None:
    knn = KNeighborsClassifier().fit([[0.0], [1.0]], [0, 1])
    with pytest.raises(UnsupportedEstimatorError) as info:
        skl2sql.compile(knn, table="t", features=["x"])
    msg = str(info.value)
    assert "KNeighborsClassifier" in msg
    supported = skl2sql.supported_estimators()
    assert supported, "the registry is empty"
    missing = [name for name in supported if name not in msg]
    assert not missing, f"message does not list {missing}"


def test_unsupported_estimator_inside_pipeline_is_named() -> None:
    X = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
    pipe = make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=1)).fit(X, [0, 1, 0, 1])
    with pytest.raises(UnsupportedEstimatorError, match="KNeighborsClassifier"):
        skl2sql.compile(pipe, table="t")


@pytest.mark.parametrize("dialect", ["nosuchdb", "", "   ", "duck db"])
def test_unknown_dialect_lists_known(dialect: str, array_model: LinearRegression) -> None:
    with pytest.raises(UnsupportedDialectError) as info:
        skl2sql.compile(array_model, table="t", dialect=dialect, features=["a", "b", "c"])
    msg = str(info.value)
    assert repr(dialect) in msg
    if dialect.strip():
        for known in ("duckdb", "postgres", "snowflake", "bigquery", "tsql"):
            assert known in msg


@pytest.mark.parametrize("alias", ["PostgreSQL", "mssql", "MariaDB", " DuckDB "])
def test_dialect_aliases_resolve(alias: str, array_model: LinearRegression) -> None:
    compiled = skl2sql.compile(array_model, table="t", dialect=alias, features=["a", "b", "c"])
    assert compiled.dialect in {"postgres", "tsql", "mysql", "duckdb"}


def test_array_model_without_features(array_model: LinearRegression) -> None:
    with pytest.raises(SchemaError, match="features") as info:
        skl2sql.compile(array_model, table="t")
    assert "LinearRegression" in str(info.value) and "3" in str(info.value)


@pytest.mark.parametrize("features", [["a", "b"], ["a", "b", "c", "d"]])
def test_wrong_number_of_features(features: list[str], array_model: LinearRegression) -> None:
    with pytest.raises(SchemaError, match="expects 3 input columns"):
        skl2sql.compile(array_model, table="t", features=features)


def test_duplicate_features(array_model: LinearRegression) -> None:
    with pytest.raises(SchemaError, match="'a' appears twice"):
        skl2sql.compile(array_model, table="t", features=["a", "b", "a"])


def test_empty_feature_name(array_model: LinearRegression) -> None:
    with pytest.raises(SchemaError, match="non-empty"):
        skl2sql.compile(array_model, table="t", features=["a", "", "c"])


def test_features_disagreeing_with_fitted_names(frame_model: Any) -> None:
    model, _ = frame_model
    with pytest.raises(SchemaError, match="was fitted on columns"):
        skl2sql.compile(model, table="t", features=["x", "y"])


@pytest.mark.parametrize("keep", [["prediction"], ["probability_1"]])
def test_keep_clashing_with_outputs(keep: list[str], frame_model: Any) -> None:
    model, _ = frame_model
    with pytest.raises(SchemaError, match="clash"):
        skl2sql.compile(model, table="t", keep=keep)


def test_keep_repeated(frame_model: Any) -> None:
    model, _ = frame_model
    with pytest.raises(SchemaError, match="repeated"):
        skl2sql.compile(model, table="t", keep=["id", "id"])


@pytest.mark.parametrize("table", ["", "   ", '"unterminated'])
def test_bad_table_name(table: str, array_model: LinearRegression) -> None:
    with pytest.raises(SchemaError, match="table"):
        skl2sql.compile(array_model, table=table, features=["a", "b", "c"])


def test_table_name_with_empty_part(array_model: LinearRegression) -> None:
    with pytest.raises(SchemaError):
        skl2sql.compile(array_model, table="a..b", features=["a", "b", "c"])


def test_not_fitted() -> None:
    X = pd.DataFrame({"x": [0.0, 1.0]})
    with pytest.raises(Skl2SqlError, match="LogisticRegression is not fitted"):
        skl2sql.compile(LogisticRegression(), table="t", features=["x"])
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    with pytest.raises(Skl2SqlError, match="not fitted"):
        skl2sql.compile(pipe, table="t", features=list(X.columns))


# --------------------------------------------------------------------------------------------
# Hostile identifiers end up quoted: the SQL runs, nothing is dropped.
# --------------------------------------------------------------------------------------------

#: Table names (unquoted text) that try to break out of their quotes.
HOSTILE_TABLES = ['my "quoted" table', "t; drop table x; --", "it's"]


def _setup(con: Any, table: str, X: pd.DataFrame) -> None:
    q = table.replace('"', '""')
    cols = ", ".join('"' + c.replace('"', '""') + '" DOUBLE' for c in ["id", *X.columns])
    con.execute("CREATE TABLE x (v INTEGER)")
    con.execute("INSERT INTO x VALUES (42)")
    con.execute(f'CREATE TABLE "{q}" ({cols})')
    marks = ", ".join("?" for _ in range(X.shape[1] + 1))
    con.executemany(f'INSERT INTO "{q}" VALUES ({marks})', [(i, *map(float, row)) for i, row in enumerate(X.to_numpy())])


@pytest.mark.parametrize("table", HOSTILE_TABLES)
@pytest.mark.parametrize("engine_name", ["duckdb", "sqlite"])
def test_hostile_names_run_and_drop_nothing(engine_name: str, table: str, frame_model: Any) -> None:
    model, X = frame_model
    X = X.iloc[:20]
    con: Any
    if engine_name == "duckdb":
        con = duckdb.connect()
    else:
        con = sqlite3.connect(":memory:")
        register_sqlite_math(con)
    _setup(con, table, X)
    quoted = '"' + table.replace('"', '""') + '"'  # the table name written in the dialect's quotes
    compiled = skl2sql.compile(model, table=quoted, dialect=engine_name, keep=["id"])
    assert HOSTILE in compiled.features
    cur = con.execute(compiled.sql)
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    assert names == ["id", *compiled.outputs]
    got = np.array([r[names.index("probability_1")] for r in sorted(rows)], dtype=np.float64)
    np.testing.assert_allclose(got, model.predict_proba(X)[:, 1], rtol=1e-12, atol=1e-15)
    # The table the names tried to drop is still there, with its row.
    assert con.execute("SELECT v FROM x").fetchall() == [(42,)]
    con.close()


@pytest.mark.parametrize("engine_name", ["duckdb", "sqlite"])
def test_unquoted_hostile_table_is_one_identifier(engine_name: str, array_model: LinearRegression) -> None:
    """An unquoted name with a statement separator is not split into statements: it is quoted as
    one identifier, so running the SQL fails with 'no such table' and drops nothing."""
    con: Any = duckdb.connect() if engine_name == "duckdb" else sqlite3.connect(":memory:")
    con.execute("CREATE TABLE x (v INTEGER)")
    compiled = skl2sql.compile(array_model, table="t; DROP TABLE x", dialect=engine_name, features=["a", "b", "c"])
    assert compiled.sql.count(";") == 1 and "\"t; DROP TABLE x\"" in compiled.sql
    with pytest.raises((duckdb.Error, sqlite3.Error)):
        con.execute(compiled.sql)
    assert con.execute("SELECT count(*) FROM x").fetchall() == [(0,)]
    con.close()


# --- expressions() that would not fit ------------------------------------------------------------


def _quantile_chain() -> Any:
    """Three QuantileTransformers: each reads its input in many interpolation branches, so the
    inlined expression multiplies per step (110 M nodes on iris, from 4,500 in the SELECT)."""
    from sklearn.datasets import load_iris
    from sklearn.preprocessing import QuantileTransformer

    X, y = load_iris(return_X_y=True, as_frame=True)
    steps = [QuantileTransformer(n_quantiles=50), StandardScaler(), QuantileTransformer(n_quantiles=20)]
    return make_pipeline(*steps, LogisticRegression(max_iter=500)).fit(X, y)


def test_expressions_too_large_is_a_typed_error_at_once() -> None:
    import time

    compiled = skl2sql.compile(_quantile_chain(), table="t")
    start = time.perf_counter()
    with pytest.raises(skl2sql.ExpressionTooLargeError) as err:
        compiled.expressions()
    assert time.perf_counter() - start < 10  # counted, not rendered (rendering would take hours)
    msg = str(err.value)
    assert "Pipeline" in msg and "CompiledModel.sql" in msg and "max_nodes" in msg
    assert isinstance(err.value, Skl2SqlError)
    assert compiled.sql.startswith("WITH")  # the SELECT with CTEs is unaffected


def test_expressions_cap_is_a_parameter() -> None:
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.0]})
    compiled = skl2sql.compile(LogisticRegression().fit(X, [0, 0, 1, 1]), table="t")
    assert set(compiled.expressions()) == set(compiled.outputs)
    with pytest.raises(skl2sql.ExpressionTooLargeError):
        compiled.expressions(max_nodes=10)


def test_inlined_size_counts_what_inlining_makes() -> None:
    """The count the cap uses equals the nodes of the actually inlined outputs."""
    from skl2sql.ir import walk
    from skl2sql.plan import Layout, inlined_size
    from skl2sql.plan.inlining import inline_everything

    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0], "b": [1.0, 0.0, 1.0, 0.0, 2.0, 2.0]})
    est = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, [0, 1, 2, 0, 1, 2])
    program = skl2sql.compile(est, table="t").program
    inlined = inline_everything(Layout.of(program), skl2sql.compile(est, table="t").policy).outputs
    assert inlined_size(program) == sum(len(walk(e)) for _, e in inlined) > program.size()


def test_compile_leaves_the_garbage_collector_as_it_was() -> None:
    """compile pauses Python's cyclic collector (half of a large model's compile time) and
    restores it, also when compile raises, and leaves a collector the caller paused paused."""
    import gc

    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0]})
    model = LinearRegression().fit(X, [1.0, 2.0, 3.0, 5.0])
    assert gc.isenabled()
    skl2sql.compile(model, table="t")
    assert gc.isenabled()
    with pytest.raises(UnsupportedEstimatorError):
        skl2sql.compile(KNeighborsClassifier(n_neighbors=1).fit(X, [0, 1, 0, 1]), table="t")
    assert gc.isenabled()
    gc.disable()
    try:
        skl2sql.compile(model, table="t").to_sql(pretty=True)
        assert not gc.isenabled()
    finally:
        gc.enable()
