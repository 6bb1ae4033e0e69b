"""The benchmark cases, in a registry: ``@case(name, needs=...)`` adds one.

A case fits a model on the first rows of the generated table and measures, in the same run, the
ways of scoring the whole table (see :func:`duckdb_methods`). A case whose estimators are not
registered in skl2sql (``skl2sql.supported_estimators()``) or whose libraries are not installed is
skipped with a printed note, never failed: the registry lists what *should* be measured, the run
reports what *could* be.

To add a case: write ``def my_case(b: Bench) -> Result`` that fits a model and returns
``duckdb_methods(b, name, model, columns)`` (or builds its own rows), decorate it with
``@case("my_case", needs={"EstimatorClass"}, modules=("lightgbm",))``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from harness import CATEGORICAL, NUMERIC, TREE_FEATURES, Result, Row, best_of, max_abs_diff

import skl2sql

__all__ = ["Bench", "Case", "CASES", "case", "duckdb_methods", "postgres_methods"]


@dataclass
class Bench:
    """What every case gets: settings, the generated frame, labels and a DuckDB connection that
    holds it as table ``input``."""

    rows: int
    repeat: int
    train_rows: int
    timeout: float
    pg_rows: int
    frame: pd.DataFrame
    labels: np.ndarray
    con: Any
    log: Callable[[str], None] = print
    cache: dict[str, Any] = field(default_factory=dict)

    def train(self, columns: Sequence[str]) -> tuple[pd.DataFrame, np.ndarray]:
        return self.frame.loc[: self.train_rows - 1, list(columns)], self.labels[: self.train_rows]


@dataclass(frozen=True)
class Case:
    name: str
    needs: frozenset[str]
    modules: tuple[str, ...]
    run: Callable[[Bench], Result]
    description: str


CASES: dict[str, Case] = {}


def case(name: str, needs: set[str], modules: tuple[str, ...] = (), description: str = "") -> Callable[
    [Callable[[Bench], Result]], Callable[[Bench], Result]
]:
    """Register a benchmark case."""

    def deco(fn: Callable[[Bench], Result]) -> Callable[[Bench], Result]:
        CASES[name] = Case(name, frozenset(needs), modules, fn, description or (fn.__doc__ or "").strip().split("\n")[0])
        return fn

    return deco


def missing_requirements(c: Case) -> str:
    """Why ``c`` cannot run here ("" if it can)."""
    absent = sorted(c.needs - set(skl2sql.supported_estimators()))
    if absent:
        return f"not registered in skl2sql yet: {', '.join(absent)}"
    for mod in c.modules:
        try:
            __import__(mod)
        except ImportError:
            return f"module {mod} not installed"
    return ""


# --------------------------------------------------------------------------------------------
# Timing helpers.
# --------------------------------------------------------------------------------------------


class Timeout(Exception):
    pass


def timed_sql(b: Bench, sql: str) -> float:
    """Best-of-``repeat`` seconds of one DuckDB statement; interrupted after ``b.timeout`` seconds
    (then repeated no more). Raises :class:`Timeout` if even the first run was interrupted."""
    best = float("inf")
    for _ in range(b.repeat):
        timer = threading.Timer(b.timeout, b.con.interrupt)
        timer.start()
        start = time.perf_counter()
        try:
            b.con.execute(sql)
        except Exception as err:  # noqa: BLE001 - duckdb raises InterruptException on interrupt
            if "interrupt" in str(err).lower():
                if best == float("inf"):
                    raise Timeout(f"over {b.timeout:g} s (interrupted)") from None
                break
            raise
        finally:
            timer.cancel()
        elapsed = time.perf_counter() - start
        best = min(best, elapsed)
        if elapsed > b.timeout / 2:
            break  # a second run would likely time out; one slow run says enough
    return best


def _ctas(name: str, select_sql: str) -> str:
    return f'CREATE OR REPLACE TABLE "{name}" AS {select_sql}'


def scan_floor_sql(columns: Sequence[str], table: str = '"input"') -> str:
    """Read every input column once and write one number per row: the least any scoring SQL over
    those columns can cost (text columns enter through ``length``). ``table`` is SQL text."""
    parts = [f'"{c}"' if c not in CATEGORICAL else f'length("{c}")' for c in columns]
    return f'SELECT "id", {" + ".join(parts)} AS s FROM {table}'


def _fetch_column(b: Bench, table: str, column: str) -> np.ndarray:
    """One output column in ``id`` order (a parallel CREATE TABLE AS need not keep input order,
    so an output without the key cannot be compared this way)."""
    return b.con.execute(f'SELECT "{column}" FROM "{table}" ORDER BY "id"').fetchnumpy()[column]


def orbital_sql(model: Any, columns: Sequence[str], table: str) -> str:
    """orbital's DuckDB SQL for ``model`` (the competitor: sklearn -> ONNX -> SQL)."""
    import orbital
    import orbital.types as ot

    feats = {c: (ot.StringColumnType() if c in CATEGORICAL else ot.DoubleColumnType()) for c in columns}
    parsed = orbital.parse_pipeline(model, features=feats)
    # The key passes through like skl2sql's keep=["id"], so both outputs are the same shape. Some
    # orbital translations lose the passthrough (ibis: column not found): then it is left out,
    # which only makes orbital's SQL a little cheaper, and rows are matched by insertion order.
    try:
        projection = orbital.ResultsProjection(select=["id"])
        return str(orbital.export_sql(table, parsed, dialect="duckdb", projection=projection))
    except Exception:  # noqa: BLE001
        return str(orbital.export_sql(table, parsed, dialect="duckdb"))


def _positive_proba(model: Any, frame: pd.DataFrame) -> np.ndarray:
    return np.asarray(model.predict_proba(frame))[:, 1]


# --------------------------------------------------------------------------------------------
# The measurements.
# --------------------------------------------------------------------------------------------


def duckdb_methods(
    b: Bench, name: str, model: Any, columns: Sequence[str], extra: Callable[[Result, float], None] | None = None
) -> Result:
    """Score all of ``input`` every way, in one run, and relate the timings.

    - *scan floor*: CREATE TABLE AS of the plain sum of the same input columns;
    - *skl2sql*: CREATE TABLE AS of the compiled SELECT (``id`` kept);
    - *orbital*: CREATE TABLE AS of orbital's SELECT for the same fitted model;
    - *in-process predict*: ``predict_proba`` on a DataFrame already in memory (no I/O);
    - *round trip*: fetch the rows as Arrow -> pandas, ``predict_proba``, write the predictions back
      into a DuckDB table: what scoring with Python next to the warehouse costs.
    """
    res = Result(name)
    cols = list(columns)
    t0 = time.perf_counter()
    compiled = skl2sql.compile(model, table="input", dialect="duckdb", keep=["id"])
    res.facts["compile seconds"] = f"{time.perf_counter() - t0:.2f}"
    res.facts["SQL bytes"] = f"{len(compiled.sql):,}"
    proba_col = [o for o in compiled.outputs if o.startswith("probability_")][-1]

    floor = timed_sql(b, _ctas("out_floor", scan_floor_sql(cols)))
    res.rows.append(Row(name, "scan floor", floor, 1.0, None))
    b.log(f"  scan floor {floor:.3f}s")

    frame = b.frame[cols]
    want: np.ndarray | None = None

    def in_process() -> None:
        nonlocal want
        want = _positive_proba(model, frame)

    inproc = best_of(in_process, b.repeat)
    assert want is not None
    b.log(f"  in-process predict {inproc:.3f}s")

    ours_s: float | None
    try:
        ours_s = timed_sql(b, _ctas("out_skl2sql", compiled.sql))
        err = max_abs_diff(_fetch_column(b, "out_skl2sql", proba_col), want)
        res.rows.append(Row(name, "skl2sql SQL", ours_s, ours_s / floor, 1.0, err))
        b.log(f"  skl2sql {ours_s:.3f}s (max err {err:.1e})")
    except Timeout as err_t:
        ours_s = None  # still measure the others: their seconds are the comparison
        res.rows.append(Row(name, "skl2sql SQL", None, None, None, None, f"timed out: {err_t}"))
        b.log(f"  skl2sql timed out: {err_t}")
    ours = ours_s if ours_s is not None else float("nan")

    try:
        t0 = time.perf_counter()
        osql = orbital_sql(model, cols, "input")
        res.facts["orbital compile seconds"] = f"{time.perf_counter() - t0:.2f}"
        res.facts["orbital SQL bytes"] = f"{len(osql):,}"
        osec = timed_sql(b, _ctas("out_orbital", osql))
        prob = [c for c in _columns(b, "out_orbital") if c.startswith("output_probability")][-1]
        note = ""
        if "id" in _columns(b, "out_orbital"):
            oerr = max_abs_diff(_fetch_column(b, "out_orbital", prob), want)
        else:
            oerr = _orbital_error_on_sample(b, model, cols, prob)
            note = f"no key passthrough: error checked on {SAMPLE:,} rows, 1 thread"
        res.rows.append(Row(name, "orbital SQL", osec, osec / floor, osec / ours, oerr, note))
        b.log(f"  orbital {osec:.3f}s (max err {oerr:.1e})")
    except Timeout as err_t:
        res.rows.append(Row(name, "orbital SQL", None, None, None, None, f"timed out: {err_t}"))
    except Exception as err_o:  # noqa: BLE001 - a converter failing is a result, not a crash
        msg = f"{type(err_o).__name__}: {err_o}".replace("|", "/").replace("\n", " ")[:160]
        res.rows.append(Row(name, "orbital SQL", None, None, None, None, f"orbital failed: {msg}"))
        b.log(f"  orbital failed: {msg}")

    res.rows.append(Row(name, "in-process predict_proba", inproc, inproc / floor, inproc / ours, 0.0, "no I/O"))

    select = ", ".join(f'"{c}"' for c in ["id", *cols])

    def round_trip() -> None:
        df = b.con.sql(f'SELECT {select} FROM "input"').to_arrow_table().to_pandas()
        p = np.asarray(model.predict_proba(df[cols]))
        out = pd.DataFrame({"id": df["id"].to_numpy()})
        out["prediction"] = np.asarray(model.classes_)[p.argmax(axis=1)]
        for k in range(p.shape[1]):
            out[f"probability_{k}"] = p[:, k]
        b.con.register("py_out", out)
        try:
            b.con.execute(_ctas("out_roundtrip", 'SELECT * FROM "py_out"'))
        finally:
            b.con.unregister("py_out")

    rt = best_of(round_trip, b.repeat)
    rerr = max_abs_diff(_fetch_column(b, "out_roundtrip", "probability_1"), want)
    res.rows.append(Row(name, "round trip (Arrow → sklearn → DuckDB)", rt, rt / floor, rt / ours, rerr))
    b.log(f"  round trip {rt:.3f}s")
    if extra is not None:
        extra(res, floor)
    for t in ("out_floor", "out_skl2sql", "out_orbital", "out_roundtrip"):
        b.con.execute(f'DROP TABLE IF EXISTS "{t}"')
    return res


#: Rows of the ordered sample used to check an output that carries no key.
SAMPLE = 5_000


def _orbital_error_on_sample(b: Bench, model: Any, cols: list[str], prob: str) -> float:
    """orbital's error when its SELECT cannot pass the key through: without a key the rows of a
    parallel CREATE TABLE AS need not come back in input order, so the output is checked on a
    sample table, single-threaded, where DuckDB keeps the order."""
    sample = b.frame.iloc[:SAMPLE]
    threads = b.con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    b.con.register("sample_view", sample)
    b.con.execute('CREATE OR REPLACE TABLE "input_sample" AS SELECT * FROM sample_view')
    b.con.unregister("sample_view")
    try:
        b.con.execute("SET threads = 1")
        got = b.con.execute(orbital_sql(model, cols, "input_sample")).fetchnumpy()[prob]
    finally:
        b.con.execute(f"SET threads = {int(threads)}")
        b.con.execute('DROP TABLE IF EXISTS "input_sample"')
    return max_abs_diff(got, _positive_proba(model, sample[cols]))


def _columns(b: Bench, table: str) -> list[str]:
    return [r[0] for r in b.con.execute(f'DESCRIBE "{table}"').fetchall()]


# --------------------------------------------------------------------------------------------
# Cases.
# --------------------------------------------------------------------------------------------


def _logistic_numeric(b: Bench) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    if "logistic_numeric" not in b.cache:
        X, y = b.train(NUMERIC)
        b.cache["logistic_numeric"] = Pipeline(
            [("scale", StandardScaler()), ("clf", LogisticRegression(max_iter=2000))]
        ).fit(X, y)
    return b.cache["logistic_numeric"]


@case("logistic", {"Pipeline", "ColumnTransformer", "StandardScaler", "OneHotEncoder", "LogisticRegression"})
def logistic(b: Bench) -> Result:
    """StandardScaler + OneHotEncoder + LogisticRegression over numeric and text columns."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    cols = NUMERIC + CATEGORICAL
    X, y = b.train(cols)
    pre = ColumnTransformer(
        [("num", StandardScaler(), NUMERIC), ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL)]
    )
    model = Pipeline([("pre", pre), ("clf", LogisticRegression(max_iter=2000))]).fit(X, y)
    name = "logistic (scaler + one-hot)"
    return duckdb_methods(b, name, model, cols, extra=lambda res, _floor: _stored_table(b, res, name, model, cols))


def _stored_table(b: Bench, res: Result, name: str, model: Any, cols: list[str]) -> None:
    """The scan floor and skl2sql's SQL again over a *stored* table (a DuckDB database file,
    checkpointed: text columns dictionary-compressed, as dbt-duckdb's tables and Parquet files
    are), where DuckDB runs a category lookup once per distinct value of a vector
    (``skl2sql.lowering.category_lists``). The in-memory rows above are uncompressed."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/stored.duckdb".replace("'", "''")
        b.con.execute(f"ATTACH '{path}' AS stored")
        try:
            select = ", ".join(f'"{c}"' for c in ["id", *cols])
            b.con.execute(f'CREATE TABLE stored.main."input" AS SELECT {select} FROM "input"')
            b.con.execute("CHECKPOINT stored")
            floor = timed_sql(b, _ctas("out_floor_stored", scan_floor_sql(cols, 'stored.main."input"')))
            res.rows.append(Row(name, "scan floor, stored table", floor, 1.0, None))
            compiled = skl2sql.compile(model, table="stored.main.input", dialect="duckdb", keep=["id"])
            ours = timed_sql(b, _ctas("out_skl2sql_stored", compiled.sql))
            want = _positive_proba(model, b.frame[cols])
            err = max_abs_diff(_fetch_column(b, "out_skl2sql_stored", "probability_1"), want)
            res.rows.append(Row(name, "skl2sql SQL, stored table", ours, ours / floor, 1.0, err))
            b.log(f"  stored table: scan floor {floor:.3f}s, skl2sql {ours:.3f}s")
        finally:
            for t in ("out_floor_stored", "out_skl2sql_stored"):
                b.con.execute(f'DROP TABLE IF EXISTS "{t}"')
            b.con.execute("DETACH stored")


def _inline_baseline(b: Bench, name: str, model: Any) -> tuple[Result, float, float, np.ndarray, Any]:
    """The rows a data-mode case compares against: the scan floor and the same model compiled
    to SQL with its constants inlined (numeric columns)."""
    res = Result(name)
    floor = timed_sql(b, _ctas("out_floor", scan_floor_sql(NUMERIC)))
    res.rows.append(Row(name, "scan floor", floor, 1.0, None))
    want = _positive_proba(model, b.frame[NUMERIC])
    compiled = skl2sql.compile(model, table="input", dialect="duckdb", keep=["id"])
    inline = timed_sql(b, _ctas("out_inline", compiled.sql))
    err = max_abs_diff(_fetch_column(b, "out_inline", "probability_1"), want)
    res.rows.append(Row(name, "skl2sql SQL (constants inlined)", inline, inline / floor, 1.0, err))
    return res, floor, inline, want, compiled


@case("logistic_data_mode", {"Pipeline", "StandardScaler", "LogisticRegression"})
def logistic_data_mode(b: Bench) -> Result:
    """Model as data (weights in a table, skl2sql.dbt.data_mode_sql) vs constants inlined in SQL."""
    try:
        from skl2sql.dbt import data_mode_sql, linear_weights
    except ImportError:
        res = Result("logistic data mode")
        res.skipped = "skl2sql.dbt.data_mode_sql not available"
        return res
    name = "logistic data mode (numeric)"
    model = _logistic_numeric(b)
    res, floor, inline, want, compiled = _inline_baseline(b, name, model)

    spec = linear_weights(model)
    b.con.execute(
        'CREATE OR REPLACE TABLE "model_weights" (model_version VARCHAR, "output" INTEGER, output_name VARCHAR, '
        "term INTEGER, feature VARCHAR, weight DOUBLE)"
    )
    rows = [(*r[:5], float(r[5])) for r in spec.rows("v1")]
    b.con.executemany('INSERT INTO "model_weights" VALUES (?, ?, ?, ?, ?, ?)', rows)
    dsql = data_mode_sql(spec, table="input", weights_table="model_weights", model_version="v1", dialect="duckdb", keep=["id"])
    data = timed_sql(b, _ctas("out_data", dsql))
    derr = max_abs_diff(_fetch_column(b, "out_data", "probability_1"), want)
    res.rows.append(Row(name, "data mode (weights table)", data, data / floor, data / inline, derr))
    res.facts["data-mode SQL bytes"] = f"{len(dsql):,}"
    res.facts["inlined SQL bytes"] = f"{len(compiled.sql):,}"
    for t in ("out_floor", "out_inline", "out_data", "model_weights"):
        b.con.execute(f'DROP TABLE IF EXISTS "{t}"')
    return res


@case("forest_data_mode", {"RandomForestClassifier"}, ("dbt",))
def forest_data_mode(b: Bench) -> Result:
    """A 20-tree depth-6 forest as data (node rows, dbt macro score_trees_from_nodes) vs compiled SQL."""
    import tempfile
    from pathlib import Path

    from dbt_data_mode import compiled_data_mode_sql
    from sklearn.ensemble import RandomForestClassifier

    name = "forest 20x6 data mode"
    X, y = b.train(NUMERIC)
    model = RandomForestClassifier(n_estimators=20, max_depth=6, random_state=0, n_jobs=1).fit(X, y)
    res, floor, inline, want, compiled = _inline_baseline(b, name, model)
    with tempfile.TemporaryDirectory() as tmp:
        dsql, db = compiled_data_mode_sql(model, "forest", Path(tmp))
        b.con.execute(f"ATTACH '{db}' AS skl2sql")
        try:
            b.con.execute('CREATE TABLE skl2sql.main."input" AS SELECT * FROM memory.main."input"')
            try:
                data = timed_sql(b, _ctas("out_data", dsql))
                derr = max_abs_diff(_fetch_column(b, "out_data", "probability_1"), want)
                res.rows.append(Row(name, "data mode (node rows, dbt macro)", data, data / floor, data / inline, derr))
            except Timeout as err_t:
                res.rows.append(Row(name, "data mode (node rows, dbt macro)", None, None, None, None, f"timed out: {err_t}"))
        finally:
            b.con.execute("DETACH skl2sql")
    res.facts["data-mode SQL bytes"] = f"{len(dsql):,}"
    res.facts["inlined SQL bytes"] = f"{len(compiled.sql):,}"
    for t in ("out_floor", "out_inline", "out_data"):
        b.con.execute(f'DROP TABLE IF EXISTS "{t}"')
    return res


def _tree_case(name: str, make: Callable[[], Any]) -> Callable[[Bench], Result]:
    def run(b: Bench) -> Result:
        X, y = b.train(TREE_FEATURES)
        t0 = time.perf_counter()
        model = make().fit(X, y)
        b.log(f"  fitted in {time.perf_counter() - t0:.1f}s")
        return duckdb_methods(b, name, model, TREE_FEATURES)

    run.__doc__ = f"{name} on the 20 numeric columns."
    return run


def _gb(n: int, depth: int) -> Any:
    from sklearn.ensemble import GradientBoostingClassifier

    return GradientBoostingClassifier(n_estimators=n, max_depth=depth, random_state=0)


def _rf() -> Any:
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(n_estimators=100, max_depth=8, random_state=0, n_jobs=1)


def _hgb() -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_iter=100, random_state=0)


def _lgbm() -> Any:
    import lightgbm as lgb

    return lgb.LGBMClassifier(n_estimators=300, verbose=-1, random_state=0, n_jobs=1)


def _xgb() -> Any:
    import xgboost as xgb

    return xgb.XGBClassifier(n_estimators=300, random_state=0, n_jobs=1)


case("gb_100x3", {"GradientBoostingClassifier"})(_tree_case("GradientBoosting 100 trees depth 3", lambda: _gb(100, 3)))
case("gb_300x5", {"GradientBoostingClassifier"})(_tree_case("GradientBoosting 300 trees depth 5", lambda: _gb(300, 5)))
case("rf_100x8", {"RandomForestClassifier"})(_tree_case("RandomForest 100 trees depth 8", _rf))
case("hgb_100", {"HistGradientBoostingClassifier"})(_tree_case("HistGradientBoosting 100 iterations", _hgb))
case("lgbm_300", {"LGBMClassifier"}, ("lightgbm",))(_tree_case("LightGBM 300 trees", _lgbm))
case("xgb_300", {"XGBClassifier"}, ("xgboost",))(_tree_case("XGBoost 300 trees", _xgb))


# --------------------------------------------------------------------------------------------
# PostgreSQL: INSERT ... SELECT of the compiled SQL vs a Python round trip.
# --------------------------------------------------------------------------------------------


def postgres_methods(b: Bench, name: str, model: Any, columns: Sequence[str]) -> Result:
    """On PostgreSQL with ``b.pg_rows`` rows: scan floor, INSERT ... SELECT of the compiled SQL,
    and a round trip (fetch rows with psycopg, ``predict_proba``, COPY the predictions back)."""
    import psycopg

    from engines import PG_DSN  # the test-suite's connection settings (SKL2SQL_PG_DSN)

    res = Result(name)
    cols = list(columns)
    n = min(b.pg_rows, len(b.frame))
    frame = b.frame.loc[: n - 1, ["id", *cols]]
    try:
        con = psycopg.connect(PG_DSN, autocommit=True, connect_timeout=3)
    except Exception as err:  # noqa: BLE001
        res.skipped = f"PostgreSQL unreachable ({type(err).__name__})"
        return res
    # as the dbt package's scoring pre-hook does: PostgreSQL's JIT compiles a large CASE forest
    # with LLVM first (90 of 102 s for a 100-tree forest over 100,000 rows)
    con.execute("SET jit = off")
    res.facts["PostgreSQL jit"] = "off (as skl2sql.scoring_session)"
    table = "skl2sql_bench_input"
    typed = ", ".join(f'"{c}" {"TEXT" if c in CATEGORICAL else "DOUBLE PRECISION"}' for c in cols)
    with con.cursor() as cur:
        cur.execute(f'DROP TABLE IF EXISTS "{table}"')
        cur.execute(f'CREATE TABLE "{table}" ("id" BIGINT, {typed})')
        with cur.copy(f'COPY "{table}" FROM STDIN') as cp:
            for row in frame.itertuples(index=False):
                cp.write_row(row)
        cur.execute(f'ANALYZE "{table}"')
    compiled = skl2sql.compile(model, table=table, dialect="postgres", keep=["id"])
    out_cols = ", ".join(f'"{o}" {"TEXT" if o == "prediction" else "DOUBLE PRECISION"}' for o in compiled.outputs)

    def pg(sql: str) -> None:
        with con.cursor() as cur:
            cur.execute(sql)

    def run_insert(target: str, select_sql: str, ddl: str) -> float:
        def once() -> None:
            pg(f'DROP TABLE IF EXISTS "{target}"')
            pg(ddl)
            pg(f'INSERT INTO "{target}" {select_sql}')

        return best_of(once, b.repeat)

    floor = run_insert(
        "skl2sql_bench_floor",
        scan_floor_sql(cols, f'"{table}"').replace("length(", "char_length("),
        'CREATE TABLE "skl2sql_bench_floor" ("id" BIGINT, s DOUBLE PRECISION)',
    )
    res.rows.append(Row(name, "scan floor (INSERT ... SELECT)", floor, 1.0, None))
    ours = run_insert(
        "skl2sql_bench_out", compiled.sql, f'CREATE TABLE "skl2sql_bench_out" ("id" BIGINT, {out_cols})'
    )
    want = _positive_proba(model, frame[cols])
    with con.cursor() as cur:
        cur.execute('SELECT "probability_1" FROM "skl2sql_bench_out" ORDER BY "id"')
        got = np.array([r[0] for r in cur.fetchall()], dtype=np.float64)
    res.rows.append(Row(name, "skl2sql INSERT ... SELECT", ours, ours / floor, 1.0, max_abs_diff(got, want)))
    b.log(f"  postgres floor {floor:.3f}s, skl2sql {ours:.3f}s")

    select = ", ".join(f'"{c}"' for c in ["id", *cols])

    def round_trip() -> None:
        with con.cursor() as cur:
            cur.execute(f'SELECT {select} FROM "{table}"')
            df = pd.DataFrame(cur.fetchall(), columns=["id", *cols])
        p = np.asarray(model.predict_proba(df[cols]))
        labels = np.asarray(model.classes_)[p.argmax(axis=1)]
        pg('DROP TABLE IF EXISTS "skl2sql_bench_rt"')
        pg(f'CREATE TABLE "skl2sql_bench_rt" ("id" BIGINT, {out_cols})')
        with con.cursor() as cur, cur.copy('COPY "skl2sql_bench_rt" FROM STDIN') as cp:
            for i, lab, row in zip(df["id"].tolist(), labels.tolist(), p.tolist(), strict=True):
                cp.write_row((i, str(lab), *row))

    rt = best_of(round_trip, b.repeat)
    res.rows.append(Row(name, "round trip (psycopg → sklearn → COPY)", rt, rt / floor, rt / ours, None))
    b.log(f"  postgres round trip {rt:.3f}s")
    for t in (table, "skl2sql_bench_floor", "skl2sql_bench_out", "skl2sql_bench_rt"):
        pg(f'DROP TABLE IF EXISTS "{t}"')
    con.close()
    res.facts["rows"] = f"{n:,}"
    return res


@case("postgres_logistic", {"Pipeline", "StandardScaler", "LogisticRegression"}, ("psycopg",))
def postgres_logistic(b: Bench) -> Result:
    """PostgreSQL: the numeric logistic pipeline, INSERT ... SELECT vs round trip."""
    return postgres_methods(b, "PostgreSQL logistic (numeric)", _logistic_numeric(b), NUMERIC)


@case("postgres_gb_100x3", {"GradientBoostingClassifier"}, ("psycopg",))
def postgres_gb(b: Bench) -> Result:
    """PostgreSQL: GradientBoosting 100x3, INSERT ... SELECT vs round trip."""
    X, y = b.train(TREE_FEATURES)
    return postgres_methods(b, "PostgreSQL GradientBoosting 100x3", _gb(100, 3).fit(X, y), TREE_FEATURES)


@case("postgres_rf_100x8", {"RandomForestClassifier"}, ("psycopg",))
def postgres_rf(b: Bench) -> Result:
    """PostgreSQL: RandomForest 100 trees depth 8, INSERT ... SELECT vs round trip."""
    X, y = b.train(TREE_FEATURES)
    return postgres_methods(b, "PostgreSQL RandomForest 100x8", _rf().fit(X, y), TREE_FEATURES)
