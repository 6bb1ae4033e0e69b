"""The parity check: estimator = IR = SQL on a real engine.

``check_parity`` compiles an estimator for the engine's dialect, loads the rows into a fresh table
keyed by ``row_id``, runs the SQL, and compares every output column with what the estimator itself
returns (``predict``, ``predict_proba``, ``decision_function``, ``transform`` ...). The IR is
evaluated in NumPy and compared the same way, so a failure says which leg is wrong.

Rows the estimator refuses (NaN where it cannot take one, an unknown category under
``handle_unknown='error'``) must come back NULL from SQL: the expected value is computed row by row
for those, and a row that raises expects NULL.

Tolerances (documented in the README): labels must match exactly on every row; numbers within
``atol + rtol * |expected|`` (1e-9 each unless a test states why it needs more).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd

import skl2sql
from engines import Engine
from skl2sql.ir import DOUBLE_MAX, And, Case, Cast, Compare, Literal, lit
from skl2sql.ir.evaluate import evaluate_program
from skl2sql.program import Program, Stage

KEY = "row_id"
T = TypeVar("T")

#: (id(est), id(X), outputs) -> (est, X, expected). The objects are kept so their ids cannot be
#: reused by later, different objects while the entry exists.
_expected_cache: dict[tuple[int, int, tuple[str, ...]], tuple[Any, Any, dict[str, np.ndarray]]] = {}


def finite_reads(program: Program) -> list[str]:
    """Stage columns that read an input as NULL unless finite (``assemblers.refusals.guard_finite`` chose them
    in place of the infinity flag because every output is NULL when they are)."""
    out = []
    for stage in program.stages:
        for name, e in stage.columns:
            if (
                isinstance(e, Case)
                and len(e.whens) == 1
                and e.default is None
                and isinstance(e.whens[0][1], Cast)
                and isinstance(e.whens[0][0], And)
                and any(isinstance(c, Compare) and c.right == lit(DOUBLE_MAX) for c in e.whens[0][0].items)
            ):
                out.append(name)
    return out


def check_finite_reads(program: Program, data: Mapping[str, Any]) -> None:
    """The claim behind each finite read, on the IR: with that column NULL, every output is NULL
    on every row (else an infinity there would give a number where sklearn raises). Run by every
    parity check, so :mod:`skl2sql.analysis.null_strict` is checked against the whole matrix."""
    for target in finite_reads(program):
        stages = tuple(
            Stage(tuple((n, Literal(None) if n == target else e) for n, e in st.columns), st.pinned)
            for st in program.stages
        )
        out = evaluate_program(Program(program.inputs, stages, program.outputs), data)
        for name, values in out.items():
            nulls = [v is None or (isinstance(v, float) and math.isnan(v)) for v in values.tolist()]
            assert all(nulls), f"{target} read as NULL unless finite, but output {name} is not NULL without it"


def case_cache(cases: Mapping[str, Callable[[], T]]) -> Callable[[str], T]:
    """``fitted(name)``: build (fit) a named test case once per session and reuse it across
    engines, so every engine is checked against the very same fitted estimator."""
    built: dict[str, T] = {}

    def fitted(name: str) -> T:
        if name not in built:
            built[name] = cases[name]()
        return built[name]

    return fitted


def _multioutput_columns(est: Any, X: pd.DataFrame, outputs: Sequence[str]) -> dict[str, np.ndarray]:
    """``prediction_<i>`` from ``predict``'s columns; ``probability_<i>_<class>`` from
    ``predict_proba``: a list with one array per target (MultiOutputClassifier), or one column of
    positive-class probabilities per target (ClassifierChain; the other class is 1 minus it)."""
    out: dict[str, np.ndarray] = {}
    pred = np.asarray(est.predict(X))
    pred = pred.reshape(len(X), -1)
    for i in range(pred.shape[1]):
        out[f"prediction_{i}"] = pred[:, i]
    if any(o.startswith("probability_") for o in outputs):
        proba = est.predict_proba(X)
        for i in range(pred.shape[1]):
            cols = [o for o in outputs if o.startswith(f"probability_{i}_")]
            if isinstance(proba, list):
                for j, c in enumerate(cols):
                    out[c] = np.asarray(proba[i])[:, j]
            else:
                positive = np.asarray(proba)[:, i]
                out[cols[-1]], out[cols[0]] = positive, 1.0 - positive
    return out


def _method_columns(est: Any, X: pd.DataFrame, outputs: Sequence[str]) -> dict[str, np.ndarray]:
    """Call the estimator's methods on all rows of X; raise if any row is refused."""
    if "prediction_0" in outputs:
        return _multioutput_columns(est, X, outputs)
    out: dict[str, np.ndarray] = {}
    proba_cols = [o for o in outputs if o.startswith("probability_")]
    dec_cols = [o for o in outputs if o.startswith("decision_function")]
    is_predictor = "prediction" in outputs
    if is_predictor:
        out["prediction"] = np.asarray(est.predict(X))
    if proba_cols:
        p = np.asarray(est.predict_proba(X))
        for i, c in enumerate(proba_cols):
            out[c] = p[:, i]
    if dec_cols:
        d = np.asarray(est.decision_function(X))
        if d.ndim == 1:
            out[dec_cols[0]] = d
        else:
            for i, c in enumerate(dec_cols):
                out[c] = d[:, i]
    if not is_predictor:
        t = est.transform(X)
        t = t.toarray() if hasattr(t, "toarray") else np.asarray(t)
        for i, c in enumerate(outputs):
            out[c] = t[:, i]
    for o in outputs:
        if o not in out:
            out[o] = np.asarray(getattr(est, o)(X))
    return out


def expected_outputs(est: Any, X: pd.DataFrame, outputs: Sequence[str]) -> dict[str, np.ndarray]:
    """What the estimator says, with None/NaN where it refuses a row (cached per estimator & X)."""
    key = (id(est), id(X), tuple(outputs))
    hit = _expected_cache.get(key)
    if hit is not None and hit[0] is est and hit[1] is X:
        return hit[2]
    try:
        res = _method_columns(est, X, outputs)
    except Exception:  # noqa: BLE001 - some rows are refused: go row by row
        rows: list[dict[str, Any] | None] = []
        for i in range(len(X)):
            try:
                r = _method_columns(est, X.iloc[[i]], outputs)
                rows.append({k: v[0] for k, v in r.items()})
            except Exception:  # noqa: BLE001
                rows.append(None)
        if all(r is None for r in rows):
            raise AssertionError(f"{type(est).__name__} refuses every row of the test data") from None
        res = {}
        for o in outputs:
            vals = [None if r is None else r[o] for r in rows]
            if all(v is None or isinstance(v, (int, float, np.integer, np.floating)) for v in vals):
                res[o] = np.array([np.nan if v is None else float(v) for v in vals])
            else:
                res[o] = np.array(vals, dtype=object)
    _expected_cache[key] = (est, X, res)
    return res


def _is_null(v: Any) -> bool:
    return v is None or (isinstance(v, (float, np.floating)) and math.isnan(v))


def compare(
    name: str, got: np.ndarray, want: np.ndarray, atol: float, rtol: float, exact: bool, where: str
) -> None:
    """Assert equality row by row; NULL must be NULL where expected and nowhere else."""
    assert len(got) == len(want), f"{where} {name}: {len(got)} rows, expected {len(want)}"
    bad: list[str] = []
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        if _is_null(w) or _is_null(g):
            if not (_is_null(w) and _is_null(g)):
                bad.append(f"row {i}: got {g!r}, expected {w!r}")
            continue
        if isinstance(w, (str, np.str_)) or isinstance(g, str):
            if str(g) != str(w):
                bad.append(f"row {i}: got {g!r}, expected {w!r}")
            continue
        gf, wf = float(g), float(w)
        if exact:
            if gf != wf:
                bad.append(f"row {i}: got {g!r}, expected {w!r}")
        elif not abs(gf - wf) <= atol + rtol * abs(wf):
            bad.append(f"row {i}: got {gf!r}, expected {wf!r} (diff {abs(gf - wf):.3g})")
    if bad:
        raise AssertionError(f"{where} {name}: {len(bad)} of {len(want)} rows differ:\n  " + "\n  ".join(bad[:10]))


def store_nan(engine: Engine, table: str, X: pd.DataFrame, features: Sequence[str]) -> None:
    """Turn the NULL cells of ``X``'s numeric (float) columns into NaN in ``table``, and check the
    engine kept them as NaN: the harness otherwise loads NaN as NULL."""
    from sqlglot import exp

    t = exp.Table(this=exp.Identifier(this=table, quoted=True))
    nan = exp.Cast(this=exp.Literal.string("NaN"), to=exp.DataType.build("DOUBLE"))
    for c in features:
        if not pd.api.types.is_float_dtype(X[c]) or not X[c].isna().any():
            continue
        column = exp.Column(this=exp.Identifier(this=c, quoted=True))
        update = exp.Update(
            this=t.copy(),
            expressions=[exp.EQ(this=column.copy(), expression=nan.copy())],
            where=exp.Where(this=exp.Is(this=column.copy(), expression=exp.Null())),
        )
        engine.execute(update.sql(dialect=engine.dialect))
        count = exp.select(exp.Count(this=exp.Star())).from_(t.copy()).where(exp.EQ(this=column.copy(), expression=nan.copy()))
        stored = engine.execute(count.sql(dialect=engine.dialect)).fetchone()[0]
        assert stored == int(X[c].isna().sum()), f"{engine.name} kept {stored} NaN in {c}"


def check_parity(
    est: Any,
    X: pd.DataFrame,
    engine: Engine | None,
    *,
    features: Sequence[str] | None = None,
    atol: float = 1e-9,
    rtol: float = 1e-9,
    reference: Any | None = None,
    stored_nan: bool = False,
) -> skl2sql.CompiledModel:
    """Estimator vs IR (always) and vs SQL on ``engine`` (when given). Returns the compiled model.

    ``reference``: an object whose sklearn-style methods (``predict``, ``predict_proba``...) give
    the expected outputs, when ``est`` itself has none (a raw LightGBM/XGBoost booster).
    ``stored_nan``: the missing cells of numeric columns are stored as real NaN, not NULL (engines
    that keep NaN in float columns: DuckDB, PostgreSQL), checked to be NaN in the table."""
    dialect = engine.dialect if engine is not None else "duckdb"
    compiled = skl2sql.compile(est, table="placeholder", dialect=dialect, keep=[KEY], features=features)
    ref = est if reference is None else reference
    want = expected_outputs(ref, X, compiled.outputs)
    is_classifier = compiled.classes or hasattr(ref, "classes_")
    data = {c: X[c].tolist() for c in compiled.features}
    ir_out = compiled.evaluate(data)
    for o in compiled.outputs:
        exact = o == "prediction" and bool(is_classifier)
        compare(o, ir_out[o], want[o], atol, rtol, exact, f"IR of {type(est).__name__}")
    check_finite_reads(compiled.program, data)
    if engine is None:
        return compiled
    table = engine.new_table_name()
    columns: dict[str, list[Any]] = {KEY: list(range(len(X)))}
    for c in compiled.features:
        columns[c] = X[c].tolist()
    engine.create_table(table, columns)
    try:
        if stored_nan:
            store_nan(engine, table, X, compiled.features)
        compiled = skl2sql.compile(est, table=table, dialect=dialect, keep=[KEY], features=features)
        got = engine.query(compiled.sql)
    finally:
        engine.drop_table(table)
    order = np.argsort(got[KEY].astype(float))
    assert list(got.keys()) == [KEY, *compiled.outputs], f"columns {list(got)} != {[KEY, *compiled.outputs]}"
    for o in compiled.outputs:
        exact = o == "prediction" and bool(is_classifier)
        compare(o, got[o][order], want[o], atol, rtol, exact, f"{engine.name} {type(est).__name__}")
    return compiled
