"""Text categories looked up in a list (DuckDB) agree with the CASE every other engine runs.

Encoders over columns with many categories compile, on DuckDB, to
``COALESCE([values][list_position([keys], column)], default)`` (``skl2sql.lowering.category_lists``); the
parity matrix below runs the same models on every engine, so DuckDB's list form and the CASE form
elsewhere are both held to sklearn. Categories include quotes, backslashes, unicode, the empty
string and the text 'NULL'; scoring rows add case, accent and space variants, unseen values and
NULL, on a column where NULL was a category at fit and one where it was not. DuckDB evaluates the
lookup once per distinct value of a dictionary-compressed vector, a different code path from a
flat vector, so the DuckDB models are also scored from a stored, checkpointed table whose text
columns are dictionary-compressed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, TargetEncoder

import skl2sql
from engines import Engine
from parity import KEY, case_cache, check_parity, compare
from skl2sql import ir
from skl2sql.lowering.category_lists import category_list

pytestmark = pytest.mark.filterwarnings("ignore:Found unknown categories:UserWarning")

CITIES = [
    "O'Hare", 'say "hi"', "back\\slash", "ünïcödé", "NULL", "", "a b", "tab\there", "Zürich",
    "new york", "köln", "québec", "são paulo", "x" * 40, "drop table t;--", "plain", "42",
]
UNSEEN = ["o'hare", "NEW YORK", "new york ", " plain", "zurich", "null", "unseen", "4 2"]
TIERS = [f"tier_{i:02d}" for i in range(12)]
CITY, TIER, SMALL = "city", "tier ünï", "small"


@cache
def frames() -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Training rows (every category seen; NULL a category of ``TIER`` only) and scoring rows
    with unseen values and NULLs in every text column."""
    rng = np.random.default_rng(11)
    n, m = 600, 240

    def text(values: list[Any], size: int, p: list[float] | None = None) -> Any:
        return pd.array(rng.choice(np.array(values, dtype=object), size, p=p), dtype="str")

    train = pd.DataFrame(
        {
            CITY: text(CITIES, n),
            TIER: text([*TIERS, None], n),
            SMALL: text(["a", "b", "c"], n),
        }
    )
    score = pd.DataFrame(
        {
            CITY: text([*CITIES, *UNSEEN, None], m),
            TIER: text([*TIERS, None, "tier_99", "TIER_01"], m),
            SMALL: text(["a", "b", "c", "d", None], m),
        }
    )
    city_effect = {c: i % 5 - 2 for i, c in enumerate(CITIES)}
    logits = train[CITY].map(city_effect).to_numpy(float) + rng.normal(0, 1, n)
    y = np.digitize(logits, [-1.0, 1.0])  # three classes
    return train, score, y


def _fit(model: Any, target: str = "class") -> Any:
    train, _, y = frames()
    return model.fit(train, y if target == "class" else (y == 2).astype(int))


MODELS: dict[str, Any] = {
    "ohe_logreg": lambda: _fit(make_pipeline(OneHotEncoder(handle_unknown="ignore"), LogisticRegression(max_iter=2000))),
    "ohe_transform": lambda: _fit(OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
    "ordinal_encoded": lambda: _fit(
        OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-2)
    ),
    "target_multiclass": lambda: _fit(TargetEncoder(random_state=0)),
    "target_binary": lambda: _fit(TargetEncoder(random_state=0), "binary"),
    "ordinal_hgb_native": lambda: _fit(
        make_pipeline(
            ColumnTransformer(
                [("codes", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan), [CITY, TIER, SMALL])]
            ),
            HistGradientBoostingClassifier(categorical_features=[0, 1, 2], max_iter=20, random_state=0),
        )
    ),
}

fitted = case_cache(MODELS)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_category_list_parity(name: str, engine: Engine) -> None:
    compiled = check_parity(fitted(name), frames()[1], engine)
    uses_list = "ARRAY_POSITION(" in compiled.sql
    # the form under test is really the one the engine ran: lists on DuckDB only
    assert uses_list == (engine.dialect == "duckdb"), compiled.sql[:500]


def test_short_category_cases_stay_case() -> None:
    """Three categories: a CASE on DuckDB too (faster than the list below ten)."""
    model = fitted("ordinal_encoded")
    sql = skl2sql.compile(model, table="t", dialect="duckdb").expressions()
    small = [e for name, e in sql.items() if name.startswith("small")]
    assert small and all("ARRAY_POSITION" not in e and "CASE" in e for e in small), small
    cities = [e for name, e in sql.items() if name.startswith("city")]
    assert cities and all("ARRAY_POSITION" in e for e in cities), cities


@pytest.mark.parametrize("name", sorted(MODELS))
def test_dictionary_compressed_table(name: str, tmp_path: Path) -> None:
    """The scoring rows repeated into a stored DuckDB table, checkpointed so the text columns
    are dictionary-compressed: the list lookup then runs per distinct value (another code path
    in DuckDB), and must still give sklearn's outputs on every row."""
    import duckdb

    model = fitted(name)
    score = frames()[1]
    reps = 50  # enough rows for DuckDB to choose dictionary compression
    rows = pd.concat([score] * reps, ignore_index=True)
    rows.insert(0, KEY, np.arange(len(rows)))
    con = duckdb.connect(str(tmp_path / "stored.duckdb"))
    try:
        con.register("frame", rows)
        con.execute("CREATE TABLE scored_input AS SELECT * FROM frame")
        con.unregister("frame")
        con.execute("CHECKPOINT")
        methods = {
            r[0]
            for r in con.execute(
                "SELECT compression FROM pragma_storage_info('scored_input') WHERE segment_type = 'VARCHAR'"
            ).fetchall()
        }
        assert methods & {"Dictionary", "DICT_FSST", "FSST"}, methods
        compiled = skl2sql.compile(model, table="scored_input", dialect="duckdb", keep=[KEY])
        assert "ARRAY_POSITION(" in compiled.sql
        cur = con.execute(compiled.sql)
        names = [d[0] for d in cur.description]
        rows_out = cur.fetchall()
        got = {n: [r[i] for r in rows_out] for i, n in enumerate(names)}
    finally:
        con.close()
    from parity import expected_outputs

    want = expected_outputs(model, score, compiled.outputs)
    order = np.argsort(np.asarray(got[KEY]))
    for o in compiled.outputs:
        values = np.asarray(got[o], dtype=object)[order]
        exact = o == "prediction" and bool(compiled.classes)
        expected = np.concatenate([np.asarray(want[o])] * reps)
        compare(o, _array(values), expected, 1e-9, 1e-9, exact, f"stored DuckDB {name}")


def _array(values: np.ndarray) -> np.ndarray:
    if all(v is None or isinstance(v, (int, float)) for v in values):
        return np.array([np.nan if v is None else float(v) for v in values])
    return values


# Recognition (IR level)
# ---------------------------------------------------------------------------------------------

X = ir.col("c")
KEYS = [f"k{i}" for i in range(12)]


ZERO = ir.lit(0.0)


def _case(default: ir.Expr | None = ZERO, item: ir.Expr = X) -> ir.Case:
    whens = [(ir.Compare("=", item, ir.lit(k)), ir.lit(float(i))) for i, k in enumerate(KEYS)]
    return ir.Case(tuple(whens), default)


def test_recognises_equalities_in_lists_and_is_null() -> None:
    whens = (
        (ir.IsNull(X), ir.lit(-1.0)),
        (ir.Or((ir.InList(X, (ir.lit("a"), ir.lit("b"))), ir.Compare("=", ir.lit("c"), X))), ir.lit(1.0)),
        *((ir.Compare("=", X, ir.lit(k)), ir.lit(2.0)) for k in KEYS),
        (ir.Compare("=", X, ir.lit("a")), ir.lit(9.0)),  # shadowed by the IN above: first wins
        (ir.IsNull(X), ir.lit(8.0)),  # shadowed by the first IS NULL
    )
    found = category_list(ir.Case(whens, None), 10)
    assert found is not None
    assert found.keys == ("a", "b", "c", *KEYS)
    assert [v.value for v in found.values] == [1.0, 1.0, 1.0, *[2.0] * len(KEYS)]
    assert found.missing == ir.lit(-1.0) and found.default is None


@pytest.mark.parametrize(
    "case",
    [
        _case(),
        _case(default=None),
        _case(default=ir.lit(None)),
    ],
)
def test_recognised(case: ir.Case) -> None:
    assert category_list(case, 10) is not None


@pytest.mark.parametrize(
    "case, why",
    [
        (_case(), "below the minimum"),
        (ir.Case(((ir.Compare("=", X, ir.lit("a")), ir.lit(None)), *_case().whens), ir.lit(0.0)), "NULL branch value"),
        (ir.Case(((ir.Compare("=", ir.col("d"), ir.lit("a")), ir.lit(1.0)), *_case().whens)), "two columns"),
        (ir.Case(((ir.Compare("<", X, ir.lit("a")), ir.lit(1.0)), *_case().whens)), "an order test"),
        (ir.Case(((ir.Compare("=", X, ir.lit(3)), ir.lit(1.0)), *_case().whens)), "a number key"),
        (ir.Case(_case().whens, ir.lit("other")), "text and number constants"),
        (ir.Case(((ir.Compare("=", X, ir.lit("a")), ir.col("y")), *_case().whens)), "a computed branch"),
        (ir.Case(_case().whens, ir.col("y")), "a computed default"),
    ],
)
def test_not_recognised(case: ir.Case, why: str) -> None:
    assert category_list(case, 13 if why == "below the minimum" else 10) is None, why
