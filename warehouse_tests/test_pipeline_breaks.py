"""Pipeline breaks on DuckDB: large tree ensembles are split into ``MATERIALIZED`` stages so each
pipeline's CASE state fits in cache (see ``skl2sql.plan.pipeline_breaks``).

What must hold: the split changes speed, never a bit of the output. Partial sums add the same terms
in the same order, so the SQL with a tiny budget (many breaks, sums split inside one stage) gives
exactly the numbers of the SQL without breaks, and both equal scikit-learn / XGBoost on DuckDB.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier

import skl2sql
from skl2sql import dialects, ir
from skl2sql.plan.pipeline_breaks import break_pipelines, case_weight
from skl2sql.program import Stage


def _data(n: int = 600, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 6)), columns=[f"f{i}" for i in range(6)])
    y = (X["f0"] + X["f1"] * X["f3"] + rng.normal(0, 0.5, n) > 0).astype(int).to_numpy().copy()
    y[X["f4"] > 1.2] = 2  # three classes: one running sum per class in each stage
    return X, y


def _score(sql: str, X: pd.DataFrame, outputs: list[str]) -> dict[str, np.ndarray]:
    con = duckdb.connect()
    frame = X.assign(id=np.arange(len(X)))
    con.register("frame", frame)
    con.execute('CREATE TABLE "t" AS SELECT * FROM frame')
    cols = ", ".join(f'"{o}"' for o in outputs)
    got = con.execute(f'SELECT {cols} FROM ({sql}) ORDER BY "id"').fetchnumpy()
    con.close()
    return {o: np.asarray(got[o]) for o in outputs}


MODELS: dict[str, Any] = {
    "gb_multiclass": lambda: GradientBoostingClassifier(n_estimators=40, max_depth=3, random_state=0),
    "random_forest": lambda: RandomForestClassifier(n_estimators=30, max_depth=6, random_state=0),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_tiny_budget_changes_no_bit(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    X, y = _data()
    est = MODELS[name]().fit(X, y)
    monkeypatch.setitem(dialects.POLICIES, "duckdb", replace(dialects.POLICIES["duckdb"], pipeline_budget=10**9))
    whole = skl2sql.compile(est, table="t", dialect="duckdb", keep=["id"])
    assert "MATERIALIZED" not in whole.sql
    monkeypatch.setitem(dialects.POLICIES, "duckdb", replace(dialects.POLICIES["duckdb"], pipeline_budget=12))
    split = skl2sql.compile(est, table="t", dialect="duckdb", keep=["id"])
    assert split.sql.count("MATERIALIZED") > 20
    if name == "gb_multiclass":
        assert "_part1" in split.sql  # a stage's running sums were split into partial sums
    a = _score(whole.sql, X, whole.outputs)
    b = _score(split.sql, X, split.outputs)
    proba = est.predict_proba(X)
    for o in whole.outputs:
        assert np.array_equal(a[o], b[o]), o  # bit for bit
    atol = 0.0 if name == "random_forest" else 1e-15  # the softmax's last bit is the engine's exp()
    for k in range(proba.shape[1]):
        np.testing.assert_allclose(b[f"probability_{k}"], proba[:, k], rtol=0, atol=atol)
    np.testing.assert_array_equal(b["prediction"], est.predict(X))


def test_default_budget_breaks_duckdb_only() -> None:
    """A 100-tree depth-6 forest is several pipelines on DuckDB; other dialects get no
    ``MATERIALIZED`` (PostgreSQL's executor is row by row: its stages stay plain fenced CTEs)."""
    X, y = _data(seed=5)
    est = RandomForestClassifier(n_estimators=100, max_depth=6, random_state=0).fit(X, y)
    duck = skl2sql.compile(est, table="t", dialect="duckdb", keep=["id"])
    weight = dialects.resolve_dialect("duckdb").pipeline_budget
    assert weight is not None
    assert duck.sql.count("MATERIALIZED") >= 2
    for other in ("postgres", "sqlite", "mysql", "snowflake"):
        assert "MATERIALIZED" not in skl2sql.compile(est, table="t", dialect=other).sql
    got = _score(duck.sql, X, duck.outputs)
    np.testing.assert_array_equal(got["probability_2"], est.predict_proba(X)[:, 2])


def test_small_models_are_one_pipeline() -> None:
    X, y = _data()
    est = GradientBoostingClassifier(n_estimators=10, max_depth=2, random_state=0).fit(X, y)
    assert "MATERIALIZED" not in skl2sql.compile(est, table="t", dialect="duckdb").sql


def test_split_keeps_summation_order() -> None:
    """Partial sums chain left to right: ``((a + t1) + t2) + t3`` becomes ``p = (a + t1) + t2``
    then ``p + t3``; a column heavier than the budget alone gets its own pipeline."""
    x = ir.Column("x")

    def tree(k: int) -> ir.Expr:
        return ir.Case(((ir.Compare("<=", x, ir.lit(float(k))), ir.lit(float(k))),), ir.lit(-1.0))

    terms = (ir.Column("acc"), *(tree(k) for k in range(5)))
    heavy = ir.Case(tuple((ir.Compare("<=", x, ir.lit(float(k))), ir.lit(1.0)) for k in range(4)))
    stage = Stage((("s", ir.Sum(terms)), ("h", heavy)), pinned=True)
    assert case_weight(stage.columns[0][1]) == 5
    stages, materialized = break_pipelines([Stage((("acc", x),)), stage], 2, ["x", "acc", "s", "h", "s_part1"])
    flat = [(n, e) for st in stages for n, e in st.columns]
    assert [n for n, _ in flat] == ["acc", "s_part2", "s_part3", "s", "h"]
    assert flat[1][1] == ir.Sum((ir.Column("acc"), tree(0), tree(1)))
    assert flat[2][1] == ir.Sum((ir.Column("s_part2"), tree(2), tree(3)))
    assert flat[3][1] == ir.Sum((ir.Column("s_part3"), tree(4)))
    assert all(case_weight(e) <= 2 for n, e in flat if n != "h")
    assert materialized == {1, 2, 3}


def test_batch_false_lets_a_filter_reach_the_scan(tmp_path: Any) -> None:
    """``batch=False`` (CLI ``--no-batch``; the dbt package's predict views) writes no
    materialized stages: a filter on a view of the SQL is applied by the table scan, and the
    scores are the batch layout's, bit for bit."""
    import joblib

    from skl2sql.cli import main

    X, y = _data(seed=5)
    est = RandomForestClassifier(n_estimators=100, max_depth=6, random_state=0).fit(X, y)
    batch = skl2sql.compile(est, table="t", dialect="duckdb", keep=["id"])
    view = skl2sql.compile(est, table="t", dialect="duckdb", keep=["id"], batch=False)
    assert "MATERIALIZED" in batch.sql and "MATERIALIZED" not in view.sql
    a, b = _score(batch.sql, X, batch.outputs), _score(view.sql, X, view.outputs)
    for o in batch.outputs:
        assert np.array_equal(a[o], b[o]), o
    con = duckdb.connect()
    con.register("frame", X.assign(id=np.arange(len(X))))
    con.execute('CREATE TABLE "t" AS SELECT * FROM frame')
    con.execute(f'CREATE VIEW "v" AS {view.sql}')
    plan = "\n".join(str(r[1]) for r in con.execute('EXPLAIN SELECT * FROM "v" WHERE "id" = 5').fetchall())
    scan = plan[plan.index("Seq Scan"):]
    assert "Filters: id = 5" in scan[: scan.index("╰")]
    assert con.execute('SELECT count(*) FROM "v" WHERE "id" = 5').fetchall() == [(1,)]
    con.close()
    path = tmp_path / "forest.joblib"
    joblib.dump(est, path)
    out = tmp_path / "forest.sql"
    assert main(["compile", str(path), "-t", "t", "-k", "id", "--no-batch", "-o", str(out)]) == 0
    assert "MATERIALIZED" not in out.read_text()
    assert main(["compile", str(path), "-t", "t", "-k", "id", "-o", str(out)]) == 0
    assert "MATERIALIZED" in out.read_text()
