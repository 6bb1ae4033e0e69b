"""Shared setup of the monitoring tests: a small dbt project on DuckDB (or PostgreSQL) that
installs the repository's dbt package, a churn-like model added with ``skl2sql dbt add`` and a
training baseline, and batches of data (one drifted) and labels loaded between dbt runs.

The model sees three numeric features (one integer-valued, so bins and AUC have ties) and one
categorical feature; batch ``w2`` shifts ``a`` and the plan mix (with an unseen plan), batch
``w3`` has NULLs in ``b`` (the model gives NULL outputs for those rows).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

REPO = Path(__file__).resolve().parent.parent
PLANS = ["basic", "pro", "team"]
FEATURES = ["a", "b", "n", "plan"]


def make_frame(rng: np.random.Generator, n: int, start_id: int, *, shift_a: float = 0.0,
               plan_p: Sequence[float] = (0.5, 0.3, 0.2), plans: Sequence[str] = PLANS,
               null_b: float = 0.0) -> pd.DataFrame:
    """Synthetic customers with a churn label that depends on every feature."""
    a = rng.normal(shift_a, 1.0, n)
    b = rng.exponential(2.0, n)
    k = rng.poisson(3.0, n).astype(np.int64)
    plan = rng.choice(np.asarray(plans, dtype=object), size=n, p=np.asarray(plan_p))
    effect = np.select([plan == "pro", plan == "team"], [0.5, -0.4], 0.0)
    logit = 1.2 * a - 0.8 * b + 0.3 * k + effect
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    df = pd.DataFrame({"customer_id": np.arange(start_id, start_id + n, dtype=np.int64), "a": a, "b": b,
                       "n": k, "plan": plan.astype(str), "churned": y, "value": logit + rng.normal(0, 0.5, n)})
    if null_b:
        df.loc[rng.random(n) < null_b, "b"] = np.nan
    return df


def classifier(train: pd.DataFrame) -> Any:
    pre = ColumnTransformer([("num", StandardScaler(), ["a", "b", "n"]),
                             ("cat", OneHotEncoder(handle_unknown="ignore"), ["plan"])])
    return make_pipeline(pre, LogisticRegression(max_iter=2000)).fit(train[FEATURES], train["churned"])


def multiclass(train: pd.DataFrame) -> Any:
    """Predicts the plan (three classes) from the numeric features; its labels are the input's own
    plan column."""
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(train[["a", "b", "n"]], train["plan"])


def regressor(train: pd.DataFrame) -> Any:
    pre = ColumnTransformer([("num", StandardScaler(), ["a", "b", "n"]),
                             ("cat", OneHotEncoder(handle_unknown="ignore"), ["plan"])])
    return make_pipeline(pre, LinearRegression()).fit(train[FEATURES], train["value"])


@dataclass
class Project:
    """A throwaway dbt project; ``run`` invokes dbt in-process and raises on failure."""

    path: Path
    target: str
    db_path: Path | None = None
    pg_schema: str | None = None
    log: list[str] = field(default_factory=list)

    def run(self, *args: str, expect_ok: bool = True) -> Any:
        from dbt.cli.main import dbtRunner

        res = dbtRunner().invoke([*args, "--project-dir", str(self.path), "--profiles-dir", str(self.path),
                                  "--target", self.target, "--quiet"])
        if expect_ok and not res.success:
            failed = [f"{r.node.name}: {r.status}: {r.message}" for r in (res.result or [])
                      if str(r.status) in ("error", "fail", "skipped", "runtime error")]
            raise AssertionError(f"dbt {' '.join(args)} failed: {res.exception or failed}")
        return res

    # --- data in and out -------------------------------------------------------------------
    def connect(self) -> Any:
        if self.target == "duckdb":
            import duckdb

            assert self.db_path is not None
            return duckdb.connect(str(self.db_path))
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname="test", autocommit=True)

    def table_name(self, name: str) -> str:
        return f'"{self.pg_schema}"."{name}"' if self.target == "postgres" else f'main."{name}"'

    def load(self, name: str, df: pd.DataFrame, nan_columns: Sequence[str] = ()) -> None:
        """Replace raw table ``name`` with ``df``. Missing cells load as NULL, except in
        ``nan_columns``, where they are stored as real NaN (as Parquet from Spark would hold them)."""
        con = self.connect()
        try:
            if self.target == "duckdb":
                con.register("df_in", df)
                con.execute(f"CREATE OR REPLACE TABLE {self.table_name(name)} AS SELECT * FROM df_in")
                con.unregister("df_in")
            else:
                types = {"int64": "bigint", "float64": "double precision", "object": "text"}
                cols = ", ".join(f'"{c}" {types.get(str(t), "text")}' for c, t in df.dtypes.items())
                with con.cursor() as cur:
                    cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.pg_schema}"')
                    # truncate, not drop: dbt's views depend on the table
                    cur.execute(f"CREATE TABLE IF NOT EXISTS {self.table_name(name)} ({cols})")
                    cur.execute(f"TRUNCATE {self.table_name(name)}")
                    rows = [tuple(None if (isinstance(v, float) and np.isnan(v)) else (v.item() if hasattr(v, "item") else v)
                                  for v in r) for r in df.itertuples(index=False)]
                    if rows:
                        ph = ", ".join(["%s"] * len(df.columns))
                        cur.executemany(f"INSERT INTO {self.table_name(name)} VALUES ({ph})", rows)
            for c in nan_columns:
                update = f"UPDATE {self.table_name(name)} SET \"{c}\" = CAST('NaN' AS DOUBLE PRECISION) WHERE \"{c}\" IS NULL"
                if self.target == "duckdb":
                    con.execute(update)
                else:
                    with con.cursor() as cur:
                        cur.execute(update)
        finally:
            con.close()

    def query(self, sql: str) -> pd.DataFrame:
        con = self.connect()
        try:
            if self.target == "duckdb":
                return con.execute(sql).df()
            with con.cursor() as cur:
                cur.execute(sql)
                names = [d.name for d in cur.description]
                return pd.DataFrame(cur.fetchall(), columns=names)
        finally:
            con.close()

    def metrics(self, table: str) -> pd.DataFrame:
        return self.query(f"SELECT * FROM {self.table_name(table)}")


def make_project(root: Path, target: str = "duckdb", *, labels: bool = True, extra_vars: str = "",
                 on_run_end: bool = True, tests_yml: str = "") -> Project:
    """Write a dbt project into ``root`` that reads raw.customers / raw.labels and installs the
    skl2sql package from this repository."""
    root.mkdir(parents=True, exist_ok=True)
    schema = f"skl2sql_mon_{os.getpid()}_{root.name[-8:]}".lower().replace("-", "_")
    (root / "models").mkdir(exist_ok=True)
    (root / "seeds").mkdir(exist_ok=True)
    (root / "macros").mkdir(exist_ok=True)
    label_var = ("  skl2sql_labels:\n    churn: {relation: 'source:raw.labels', label_column: churned}\n"
                 "    value: {relation: 'source:raw.labels', label_column: value}\n"
                 "    plan: {relation: 'source:raw.customers', label_column: plan}\n") if labels else ""
    hook = 'on-run-end:\n  - "{{ skl2sql.monitor_runs_hook(results) }}"\n' if on_run_end else ""
    (root / "dbt_project.yml").write_text(
        "name: mon_test\nversion: '0.1.0'\nconfig-version: 2\nprofile: mon_test\n"
        "model-paths: [models]\nseed-paths: [seeds]\nmacro-paths: [macros]\n"
        + hook
        + "vars:\n  skl2sql_versions: {}\n" + label_var + extra_vars
    )
    (root / "packages.yml").write_text(f"packages:\n  - local: {REPO}\n")
    db_path = root / "mon.duckdb"
    (root / "profiles.yml").write_text(
        "mon_test:\n  target: duckdb\n  outputs:\n"
        f"    duckdb: {{type: duckdb, path: '{db_path}', threads: 1}}\n"
        f"    postgres: {{type: postgres, host: 127.0.0.1, port: 5432, user: postgres, password: '', dbname: test, schema: {schema}, threads: 1}}\n"
    )
    raw_schema = "main" if target == "duckdb" else schema
    (root / "models" / "sources.yml").write_text(
        f"version: 2\nsources:\n  - name: raw\n    schema: {raw_schema}\n    tables:\n"
        "      - name: customers\n      - name: labels\n"
    )
    if tests_yml:
        (root / "models" / "monitoring_tests.yml").write_text(tests_yml)
    project = Project(root, target, db_path=db_path if target == "duckdb" else None, pg_schema=schema)
    if target == "postgres":
        con = project.connect()
        with con.cursor() as cur:
            cur.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            cur.execute(f'CREATE SCHEMA "{schema}"')
        con.close()
    project.run("deps")
    return project


def drop_pg_schema(project: Project) -> None:
    if project.target != "postgres":
        return
    con = project.connect()
    with con.cursor() as cur:
        cur.execute(f'DROP SCHEMA IF EXISTS "{project.pg_schema}" CASCADE')
    con.close()
