"""Run the repository's dbt project for real, in-process, on a fresh copy.

``dbt_project/`` installs the package with ``local: ../``; a copy in a temporary directory gets an
absolute path to the repository root instead. dbt runs through ``dbtRunner`` (no subprocess), with
the profile inside the copied project, so tests exercise exactly what users run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_iris

REPO = Path(__file__).resolve().parent.parent
PROJECT_TEMPLATE = REPO / "dbt_project"
#: Generated paths that a fresh copy must not inherit from a demo run in the working tree.
GENERATED = ("models/skl2sql", "macros/skl2sql", "seeds/skl2sql", "seeds/demo", "models/demo", "target", "logs",
             "dbt_packages", "package-lock.yml")


def fresh_project(dest: Path) -> Path:
    """A copy of ``dbt_project/`` without generated files, installing the package from REPO."""
    # dbt_packages/ holds a symlink to the repository after `dbt deps`: never follow or copy it
    shutil.copytree(
        PROJECT_TEMPLATE,
        dest,
        symlinks=True,
        ignore=shutil.ignore_patterns("*.duckdb", "*.duckdb.wal", "dbt_packages", "target", "logs", "package-lock.yml"),
    )
    for rel in GENERATED:
        p = dest / rel
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
    (dest / "packages.yml").write_text(f"packages:\n  - local: {REPO.as_posix()!r}\n".replace("'", '"'), encoding="utf-8")
    (dest / "models" / "staging").mkdir(parents=True, exist_ok=True)
    (dest / "seeds").mkdir(parents=True, exist_ok=True)
    return dest


def run_dbt(project: Path, *args: str, target: str = "duckdb", vars_yaml: str | None = None) -> Any:
    """``dbt <args>`` in-process against ``project``; returns the dbtRunnerResult."""
    from dbt.cli.main import dbtRunner

    cli = [*args, "--project-dir", str(project), "--profiles-dir", str(project), "--target", target]
    if args and args[0] != "deps":
        cli += ["--no-version-check"]
        if vars_yaml:
            cli += ["--vars", vars_yaml]
    try:
        return dbtRunner().invoke(cli)
    finally:
        release_duckdb()


def release_duckdb() -> None:
    """Close dbt-duckdb's process-wide database handle, so this process can open the file itself.

    dbt-duckdb keeps one DuckDB instance per process between invocations; DuckDB refuses a second
    handle on the same file with a different configuration (e.g. read-only)."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # pragma: no cover - dbt-duckdb is a dev dependency
        return
    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
        if env is not None:
            env.close()


def check(result: Any, what: str) -> None:
    if not result.success:
        lines = []
        for r in getattr(result.result, "results", None) or []:
            if str(getattr(r, "status", "")).lower() not in ("success", "pass"):
                lines.append(f"{r.node.unique_id}: {r.status}: {r.message}")
        raise AssertionError(f"dbt {what} failed: {result.exception or ''}\n" + "\n".join(lines))


def set_env(values: dict[str, str]) -> dict[str, str | None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    return old


def restore_env(old: dict[str, str | None]) -> None:
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


# -- data --------------------------------------------------------------------------------------

def customers() -> tuple[pd.DataFrame, pd.Series]:
    """Breast cancer data as a customer table: id, batch, 6 numeric features."""
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.iloc[:, :6].copy()
    X.columns = [c.replace(" ", "_") for c in X.columns]
    return X, y


def customer_table(X: pd.DataFrame, rows: Sequence[int], batch: Sequence[str]) -> pd.DataFrame:
    t = X.iloc[list(rows)].copy()
    t.insert(0, "batch_id", list(batch))
    t.insert(0, "customer_id", list(rows))
    return t


def flowers() -> tuple[pd.DataFrame, pd.Series]:
    X, y = load_iris(return_X_y=True, as_frame=True)
    X.columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    return X, y


def flowers_with_gaps(X: pd.DataFrame, forest: Any | None = None) -> pd.DataFrame:
    """Iris with about 10% of the values NULL, plus (given a fitted forest) rows exactly at, and
    one float32 ulp either side of, the forest's first split thresholds."""
    rng = np.random.default_rng(7)
    out = X.mask(rng.random(X.shape) < 0.1)
    if forest is None:
        return out
    extra = []
    for tree in forest.estimators_[:4]:
        t = tree.tree_
        for n in np.flatnonzero(t.children_left >= 0)[:6]:
            f, thr = int(t.feature[n]), np.float32(t.threshold[n])
            for v in (np.nextafter(thr, np.float32(-np.inf)), thr, np.nextafter(thr, np.float32(np.inf))):
                row = X.iloc[len(extra) % len(X)].copy()
                row.iloc[f] = float(v)
                extra.append(row)
    return pd.concat([out, pd.DataFrame(extra)], ignore_index=True)


def flowers_with_infinities(X: pd.DataFrame) -> pd.DataFrame:
    """``X`` as :data:`INF_VIEW` serves it: ±infinity in sepal_length and +infinity in
    petal_width on the rows it names (row number = flower_id)."""
    out = X.copy()
    ids = np.arange(len(out))
    out.loc[ids % 7 == 0, "sepal_length"] = -np.inf
    out.loc[ids % 14 == 0, "sepal_length"] = np.inf
    out.loc[ids % 11 == 3, "petal_width"] = np.inf
    return out


def write_seed(project: Path, name: str, df: pd.DataFrame) -> None:
    """A seed with full-precision floats, plus a staging view ``stg_<name>`` over it."""
    df.to_csv(project / "seeds" / f"{name}.csv", index=False, float_format="%.17g")
    (project / "models" / "staging" / f"stg_{name}.sql").write_text(
        f"select * from {{{{ ref({name!r}) }}}}\n".replace("'", '"'), encoding="utf-8"
    )


def assert_matches(
    rows: dict[str, np.ndarray], model: Any, X: pd.DataFrame, key: str, outputs: Sequence[str], tol: float = 1e-9
) -> None:
    """Predictions read back from the warehouse equal scikit-learn's, row by row (``tol``: 1e-9;
    XGBoost's own float32 arithmetic needs 1e-5, see docs/boosters.md)."""
    ids = np.asarray(rows[key], dtype=np.int64)
    order = np.argsort(ids)
    ids = ids[order]
    Xs = X.iloc[ids]
    expected_label = model.predict(Xs)
    got_label = np.asarray(rows["prediction"])[order]
    if hasattr(model, "predict_proba"):
        assert np.array_equal(got_label.astype(float), expected_label.astype(float)), "labels differ"
        proba = model.predict_proba(Xs)
        for k, name in enumerate(o for o in outputs if o.startswith("probability_")):
            got = np.asarray(rows[name], dtype=np.float64)[order]
            np.testing.assert_allclose(got, proba[:, k], rtol=tol, atol=tol, err_msg=name)
    else:
        np.testing.assert_allclose(got_label.astype(float), expected_label, rtol=tol, atol=tol)


# -- the scenario both engines run ---------------------------------------------------------------

def select_all(table: str, schema: str | None, dialect: str) -> str:
    """``SELECT * FROM schema.table`` with quoted identifiers (built by sqlglot)."""
    from sqlglot import exp

    t = exp.Table(
        this=exp.Identifier(this=table, quoted=True),
        db=exp.Identifier(this=schema, quoted=True) if schema else None,
    )
    return exp.Select(expressions=[exp.Star()]).from_(t).sql(dialect=dialect)


#: What the scenario builds: this project's nodes and the package's registry (other package models,
#: e.g. monitoring, have their own tests).
SELECT = ("--select", "package:skl2sql_project", "skl2sql_models")

#: Tree models the scenario stores as data (prediction views).
TREE_DATA_MODELS = ("predict_forest_data", "predict_forest_reg_data", "predict_gb_data", "predict_gb_multi_data",
                    "predict_gb_reg_data", "predict_hgb_data", "predict_hgb_poisson_data", "predict_xgb_data",
                    "predict_lgbm_data")

#: Models over ``stg_flowers_nan``, where the missing cells are stored NaN instead of NULL, and
#: over ``stg_flowers_inf``, where some cells are ±infinity.
NAN_MODELS = ("predict_forest_nan_data", "predict_hgb_nan_data", "predict_hgb_nan", "predict_iris_inf_data",
              "predict_iris_inf")

#: Models with splits at +inf (trained on data with NaN), scored over ``stg_flowers_inf``, where
#: infinity is a value for them: compiled and stored as data.
INF_THRESHOLD_MODELS = ("predict_hgb_inf", "predict_hgb_inf_data", "predict_lgbm_inf", "predict_lgbm_inf_data")

#: ``stg_flowers`` with ±infinity in every 7th row's sepal_length / petal_width (flower_id 0, 7, ...).
INF_VIEW = (
    "select flower_id, case when flower_id % 14 = 0 then cast('Infinity' as double precision) "
    "when flower_id % 7 = 0 then cast('-Infinity' as double precision) else sepal_length end as sepal_length, "
    "sepal_width, petal_length, case when flower_id % 11 = 3 then cast('Infinity' as double precision) "
    "else petal_width end as petal_width from {{ ref('flowers') }}\n"
)

#: ``stg_flowers_gaps`` with every NULL feature stored as NaN (as a Parquet file from Spark or
#: Polars would hold it); DuckDB and PostgreSQL both read ``cast('NaN' as double precision)``.
NAN_VIEW = "select flower_id, {columns} from {{{{ ref('flowers_gaps') }}}}\n"
NAN_COLUMN = "coalesce({c}, cast('NaN' as double precision)) as {c}"


class Scenario:
    """Models, data and snapshots of one project built batch by batch on one target.

    Steps: batch 1 (300 customers) is scored by churn (compiled SQL, batch column), churn_data
    (same model as data) and iris (multinomial as data); batch 2 adds 269 customers; then a
    retrained churn is added as a new version and scored beside the old one."""

    def __init__(self, project: Path, target: str, query: Any) -> None:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        self.project = project
        self.target = target
        self.query = query  # table name -> dict of columns
        self.X, self.y = customers()
        self.churn = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(self.X, self.y)
        self.churn_v2 = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=5000)).fit(self.X, self.y)
        self.Xi, self.yi = flowers()
        self.iris = LogisticRegression(max_iter=5000).fit(self.Xi, self.yi)
        self._tree_models()
        self.versions: dict[str, str] = {}
        self.snapshots: dict[str, dict[str, np.ndarray]] = {}

    def _tree_models(self) -> None:
        """Tree models stored as data: a forest classifier and regressor trained and scored with
        NULLs (learned missing-value directions, vote-fraction sums), gradient boosting binary,
        multiclass and regression (which refuse NULLs)."""
        from sklearn.ensemble import (
            GradientBoostingClassifier,
            GradientBoostingRegressor,
            HistGradientBoostingClassifier,
            HistGradientBoostingRegressor,
            RandomForestClassifier,
            RandomForestRegressor,
        )

        gaps = flowers_with_gaps(self.Xi)
        self.forest = RandomForestClassifier(n_estimators=12, max_depth=4, random_state=0).fit(gaps, self.yi)
        self.forest_reg = RandomForestRegressor(n_estimators=6, max_depth=5, random_state=0).fit(gaps, self.yi.astype(float))
        self.Xg = flowers_with_gaps(self.Xi, self.forest)
        self.gb = GradientBoostingClassifier(n_estimators=15, max_depth=3, random_state=0).fit(self.X, self.y)
        # compiled SQL large enough for DuckDB's pipeline breaks (> 500 CASE branches): the view
        # gets the filter-friendly layout, the log table the batch one
        self.big_forest = RandomForestClassifier(n_estimators=60, max_depth=7, random_state=0).fit(self.X, self.y)
        self.gb_multi = GradientBoostingClassifier(n_estimators=8, max_depth=2, random_state=0).fit(self.Xi, self.yi)
        self.gb_reg = GradientBoostingRegressor(n_estimators=10, loss="huber", random_state=0).fit(self.X, self.y.astype(float))
        self.hgb = HistGradientBoostingClassifier(max_iter=10, random_state=0).fit(gaps, self.yi > 0)
        self.hgb_poisson = HistGradientBoostingRegressor(max_iter=10, loss="poisson").fit(gaps, self.yi + 1.0)
        import xgboost

        self.xgb = xgboost.XGBClassifier(n_estimators=10, max_depth=3, random_state=0).fit(gaps, self.yi)
        import lightgbm

        self.lgbm = lightgbm.LGBMClassifier(n_estimators=10, verbose=-1, random_state=0).fit(gaps, self.yi > 0)
        # small leaves: some splits at +inf ("every number left, NaN right") on the columns that
        # stg_flowers_inf fills with infinities
        self.hgb_inf = HistGradientBoostingClassifier(max_iter=20, min_samples_leaf=3, random_state=0).fit(gaps, self.yi)
        self.lgbm_inf = lightgbm.LGBMClassifier(n_estimators=30, min_child_samples=3, verbose=-1,
                                                random_state=0).fit(gaps, self.yi)
        self.Xinf = flowers_with_infinities(self.Xi)

    def add(self, name: str, model: Any, input_name: str, keep: str, **kw: Any) -> str:
        from skl2sql.dbt import add_model

        result = add_model(model, name=name, project=self.project, input=input_name, keep=[keep],
                           dialects=["duckdb", "postgres"], **kw)
        return result.version

    def snapshot(self, label: str, table: str) -> dict[str, np.ndarray]:
        rows = self.query(table)
        self.snapshots[f"{label}:{table}"] = rows
        return rows

    def run(self) -> None:
        p = self.project
        write_seed(p, "customers", customer_table(self.X, range(300), ["b1"] * 300))
        flowers_t = self.Xi.copy()
        flowers_t.insert(0, "flower_id", range(len(flowers_t)))
        write_seed(p, "flowers", flowers_t)
        self.versions["churn_v1"] = self.add("churn", self.churn, "stg_customers", "customer_id",
                                             batch_column="batch_id", training_data=self.X,
                                             metrics={"train_accuracy": float(self.churn.score(self.X, self.y))})
        self.versions["churn_data"] = self.add("churn_data", self.churn, "stg_customers", "customer_id", as_data=True)
        self.versions["iris"] = self.add("iris", self.iris, "stg_flowers", "flower_id", as_data=True)
        gaps = self.Xg.copy()
        gaps.insert(0, "flower_id", range(len(gaps)))
        write_seed(p, "flowers_gaps", gaps)
        self.add("forest_data", self.forest, "stg_flowers_gaps", "flower_id", as_data=True)
        self.add("forest_reg_data", self.forest_reg, "stg_flowers_gaps", "flower_id", as_data=True)
        self.add("gb_data", self.gb, "stg_customers", "customer_id", as_data=True)
        self.add("gb_multi_data", self.gb_multi, "stg_flowers", "flower_id", as_data=True)
        self.add("gb_reg_data", self.gb_reg, "stg_customers", "customer_id", as_data=True)
        self.add("hgb_data", self.hgb, "stg_flowers_gaps", "flower_id", as_data=True)
        self.add("hgb_poisson_data", self.hgb_poisson, "stg_flowers_gaps", "flower_id", as_data=True)
        self.add("xgb_data", self.xgb, "stg_flowers_gaps", "flower_id", as_data=True)
        self.add("lgbm_data", self.lgbm, "stg_flowers_gaps", "flower_id", as_data=True)
        self.add("big_forest", self.big_forest, "stg_customers", "customer_id")
        columns = ", ".join(NAN_COLUMN.format(c=c) for c in self.Xi.columns)
        (p / "models" / "staging" / "stg_flowers_nan.sql").write_text(NAN_VIEW.format(columns=columns), encoding="utf-8")
        self.add("forest_nan_data", self.forest, "stg_flowers_nan", "flower_id", as_data=True)
        self.add("hgb_nan_data", self.hgb, "stg_flowers_nan", "flower_id", as_data=True)
        self.add("hgb_nan", self.hgb, "stg_flowers_nan", "flower_id")
        (p / "models" / "staging" / "stg_flowers_inf.sql").write_text(INF_VIEW, encoding="utf-8")
        self.add("iris_inf_data", self.iris, "stg_flowers_inf", "flower_id", as_data=True)
        self.add("iris_inf", self.iris, "stg_flowers_inf", "flower_id")
        self.add("hgb_inf", self.hgb_inf, "stg_flowers_inf", "flower_id")
        self.add("hgb_inf_data", self.hgb_inf, "stg_flowers_inf", "flower_id", as_data=True)
        self.add("lgbm_inf", self.lgbm_inf, "stg_flowers_inf", "flower_id")
        self.add("lgbm_inf_data", self.lgbm_inf, "stg_flowers_inf", "flower_id", as_data=True)
        check(run_dbt(p, "deps"), "deps")
        check(run_dbt(p, "build", *SELECT, target=self.target), "build (batch 1)")
        for t in ("predict_churn", "predict_churn_log", "predict_churn_data", "predict_iris", "skl2sql_models",
                  "predict_big_forest", "predict_big_forest_log", *TREE_DATA_MODELS, *NAN_MODELS,
                  *INF_THRESHOLD_MODELS):
            self.snapshot("b1", t)

        write_seed(p, "customers", customer_table(self.X, range(len(self.X)), ["b1"] * 300 + ["b2"] * (len(self.X) - 300)))
        check(run_dbt(p, "build", *SELECT, target=self.target), "build (batch 2)")
        for t in ("predict_churn", "predict_churn_log"):
            self.snapshot("b2", t)

        self.versions["churn_v2"] = self.add("churn", self.churn_v2, "stg_customers", "customer_id",
                                             batch_column="batch_id")
        check(run_dbt(p, "build", *SELECT, target=self.target), "build (new version)")
        for t in ("predict_churn", "predict_churn_log", "skl2sql_models"):
            self.snapshot("v2", t)

        pin = "{skl2sql_versions: {churn: " + self.versions["churn_v1"] + "}}"
        check(run_dbt(p, "run", "--select", "predict_churn", target=self.target, vars_yaml=pin), "run (pinned v1)")
        self.snapshot("pinned", "predict_churn")
