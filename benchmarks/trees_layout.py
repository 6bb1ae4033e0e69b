"""Timing of the tree-ensemble SQL layout on DuckDB (default settings).

Usage: ``python benchmarks/trees_layout.py [--rows 1000000] [--batches 10,25,31] [--budgets 0,250,500,1000]``

For a RandomForest (100 trees, depth 8) and a GradientBoosting (300 trees, depth 5) on generated
data with 20 features, prints per layout (trees per pinned stage, and CASE branches per DuckDB
pipeline before a materialized stage, 0 = no breaks): compile time, SQL bytes, planning time
(EXPLAIN) and execution time (CREATE TABLE AS). Also compiles a 500-tree depth-6
model and compares its SQL size with a minimal per-node text encoding.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from typing import Any

import duckdb
import numpy as np
from sklearn.ensemble import ExtraTreesRegressor, GradientBoostingClassifier, RandomForestClassifier

import skl2sql
from skl2sql import dialects
from skl2sql.assemblers.scikit_learn import trees as trees_mod
from skl2sql.dialects.duckdb import DUCKDB

N_FEATURES = 20


def make_data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, N_FEATURES)).round(3)
    logit = X[:, 0] - 0.5 * X[:, 1] * X[:, 2] + np.sin(X[:, 3]) + rng.normal(0, 0.5, n)
    return X, (logit > 0).astype(int)


def minimal_encoding_bytes(est: Any) -> int:
    """Bytes of a minimal text encoding: per node 'feature threshold' or a leaf value."""
    total = 0
    ests = np.ravel(est.estimators_) if isinstance(est.estimators_, np.ndarray) else est.estimators_
    for e in ests:
        t = e.tree_
        for n in range(t.node_count):
            if t.children_left[n] < 0:
                total += len(repr(float(t.value[n].ravel()[-1]))) + 1
            else:
                total += len(str(int(t.feature[n]))) + len(repr(float(t.threshold[n]))) + 2
    return total


def time_layout(con: Any, est: Any, names: list[str], batch: int, budget: int = 500) -> dict[str, float]:
    trees_mod.TREES_PER_STAGE = batch
    dialects.POLICIES["duckdb"] = replace(DUCKDB, pipeline_budget=budget or 10**12)
    t0 = time.perf_counter()
    compiled = skl2sql.compile(est, table="data", dialect="duckdb", features=names)
    sql = compiled.sql
    t1 = time.perf_counter()
    con.execute("EXPLAIN " + sql).fetchall()
    t2 = time.perf_counter()
    con.execute("DROP TABLE IF EXISTS scored")
    con.execute("CREATE TABLE scored AS " + sql)
    t3 = time.perf_counter()
    return {"compile_s": t1 - t0, "sql_kb": len(sql) / 1024, "plan_s": t2 - t1, "run_s": t3 - t2}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--train", type=int, default=20_000)
    ap.add_argument("--batches", default="10,25,31")
    ap.add_argument("--budgets", default="0,250,500,1000", help="CASE branches per pipeline (0: no breaks)")
    args = ap.parse_args()
    names = [f"f{i}" for i in range(N_FEATURES)]
    X, y = make_data(args.rows)
    con = duckdb.connect()
    con.register("frame", {n: X[:, i] for i, n in enumerate(names)})
    con.execute("CREATE TABLE data AS SELECT * FROM frame")
    con.unregister("frame")
    Xt, yt = X[: args.train], y[: args.train]
    models = {
        "rf_100x8": RandomForestClassifier(n_estimators=100, max_depth=8, random_state=0, n_jobs=2).fit(Xt, yt),
        "gb_300x5": GradientBoostingClassifier(n_estimators=300, max_depth=5, random_state=0).fit(Xt, yt),
    }
    for name, est in models.items():
        t0 = time.perf_counter()
        est.predict_proba(X)
        print(f"{name}: sklearn predict_proba on {args.rows} rows: {time.perf_counter() - t0:.2f}s")
        for b in [int(v) for v in args.batches.split(",")]:
            for budget in [int(v) for v in args.budgets.split(",")]:
                r = time_layout(con, est, names, b, budget)
                print(f"{name} trees/stage={b:3d} budget={budget:5d}: " + ", ".join(f"{k}={v:.2f}" for k, v in r.items()),
                      flush=True)
    trees_mod.TREES_PER_STAGE = 25
    dialects.POLICIES["duckdb"] = DUCKDB
    big = ExtraTreesRegressor(n_estimators=500, max_depth=6, random_state=0, n_jobs=2).fit(Xt[:5000], Xt[:5000, 0])
    t0 = time.perf_counter()
    sql = skl2sql.compile(big, table="data", dialect="duckdb", features=names).sql
    dt = time.perf_counter() - t0
    minimal = minimal_encoding_bytes(big)
    print(f"500 trees depth 6: compile {dt:.2f}s, SQL {len(sql)} bytes, minimal encoding {minimal} bytes, ratio {len(sql) / minimal:.2f}")


if __name__ == "__main__":
    main()
