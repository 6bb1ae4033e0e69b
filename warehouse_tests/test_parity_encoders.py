"""Parity of the categorical encoders, and exact string equality, on every engine.

The scoring frame is ``datasets.mixed()``'s (hostile category values, NULLs, unseen categories)
plus columns that are hard on category matching: case and trailing-space variants of known
categories (MariaDB's default collation would call them equal), an integer column scored with an
unseen integer, a float column whose missing value *was* a category at fit, a text column whose
missing value and empty string were categories at fit, and a binary column.

pandas 3 stores text as the ``str`` dtype with NaN for missing; sklearn sees NaN, the tables get
SQL NULL, and ``categories_`` ends with ``nan`` when a missing value was seen at fit.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlglot
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler, TargetEncoder

import datasets
import skl2sql
from engines import Engine
from parity import check_parity
from skl2sql import ir
from skl2sql.dialects import resolve_dialect
from skl2sql.errors import UnsupportedEstimatorError
from skl2sql.lowering import render
from skl2sql.program import Program
from skl2sql.sql import build_select

pytestmark = pytest.mark.filterwarnings("ignore:Found unknown categories:UserWarning")

COLOUR, HOSTILE = "colour", datasets.HOSTILE_NUMERIC[3]
NUMERIC = datasets.HOSTILE_NUMERIC[:3]
CATS = [COLOUR, HOSTILE, "shade", "grade", "level", "flag"]
VARIANTS = ["Red", "RED", "red ", " red", "rëd", "Green", "blue\t"]


@cache
def frames() -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """Training and scoring frames with every kind of categorical column."""
    train, score, y_class, y_reg = datasets.mixed()
    rng = np.random.default_rng(7)
    n, m = len(train), len(score)
    train, score = train.copy(), score.copy()
    # text, with '' and a missing value as categories at fit
    train["shade"] = pd.array(rng.choice(np.array(["light", "dark", "", None], dtype=object), n, p=[0.45, 0.35, 0.1, 0.1]), dtype="str")
    shade = rng.choice(np.array(["light", "dark", "", None, "Dark", "dark ", "LIGHT", " light"], dtype=object), m)
    score["shade"] = pd.array(shade, dtype="str")
    # integers: 13 and 21 are rare (infrequent); 4 is never seen at fit
    train["grade"] = rng.choice([1, 2, 3, 5, 8, 13, 21], n, p=[0.02, 0.3, 0.3, 0.2, 0.14, 0.02, 0.02])
    score["grade"] = rng.choice([1, 2, 3, 4, 5, 8, 13, 21], m)
    # floats with NaN as a category at fit
    train["level"] = rng.choice([0.5, 1.0, 2.25, np.nan], n)
    score["level"] = rng.choice([0.5, 1.0, 2.25, np.nan, 3.0], m)
    # binary text
    train["flag"] = pd.array(rng.choice(["yes", "no"], n), dtype="str")
    score["flag"] = pd.array(rng.choice(["yes", "no"], m), dtype="str")
    # case / space / accent variants of known colours: unknown to sklearn
    idx = rng.permutation(m)[: len(VARIANTS) * 2]
    score.loc[idx, COLOUR] = VARIANTS * 2
    return train, score, y_class, y_reg


@cache
def _cats() -> pd.DataFrame:
    """The scoring frame's categorical columns: one object for the whole session (the parity
    harness caches expected outputs by object id)."""
    return frames()[1][CATS]


def _fit_transformer(est: Any, y: str | None = None) -> Any:
    train, _, y_class, y_reg = frames()
    target = {"class": y_class, "reg": y_reg, "multi": np.digitize(y_reg, np.quantile(y_reg, [0.33, 0.66]))}
    return est.fit(train[CATS], None if y is None else target[y])


NO_MISSING = [COLOUR, HOSTILE, "grade", "flag"]  # columns without a missing category at fit

TRANSFORMERS: dict[str, Any] = {
    "ohe_ignore": lambda: _fit_transformer(OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
    "ohe_error": lambda: _fit_transformer(OneHotEncoder(handle_unknown="error")),
    "ohe_warn": lambda: _fit_transformer(OneHotEncoder(handle_unknown="warn", min_frequency=0.05)),
    "ohe_drop_first": lambda: _fit_transformer(OneHotEncoder(drop="first", handle_unknown="ignore")),
    "ohe_drop_first_error": lambda: _fit_transformer(OneHotEncoder(drop="first")),
    "ohe_if_binary": lambda: _fit_transformer(OneHotEncoder(drop="if_binary", handle_unknown="ignore")),
    "ohe_drop_explicit": lambda: _fit_transformer(
        OneHotEncoder(drop=["green", "ünï", np.nan, 5, np.nan, "no"], handle_unknown="ignore")
    ),
    "ohe_infrequent_min_frequency": lambda: _fit_transformer(
        OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=0.05)
    ),
    "ohe_infrequent_max_categories": lambda: _fit_transformer(
        OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=3)
    ),
    # grade's first category (1) is infrequent: drop='first' drops the whole infrequent group
    "ohe_infrequent_drop_first": lambda: _fit_transformer(
        OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=0.05, drop="first")
    ),
    "ohe_infrequent_drop_explicit": lambda: _fit_transformer(
        OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=0.05, drop=["red", "NULL", "dark", 2, 1.0, "yes"])
    ),
    "ohe_infrequent_ignore": lambda: _fit_transformer(
        OneHotEncoder(handle_unknown="ignore", max_categories=2)
    ),
    "ohe_explicit_categories": lambda: _fit_transformer(
        OneHotEncoder(
            categories=[["yellow", "red", "blue", "green"], datasets.HOSTILE_CATEGORIES[:5], ["", "dark", "light", np.nan],
                        [1, 2, 3, 5, 8, 13, 21], [0.5, 1.0, 2.25, np.nan], ["yes", "no"]],
            dtype=np.float32,
        )
    ),
    "ord_error": lambda: _fit_transformer(OrdinalEncoder()),
    "ord_encoded": lambda: _fit_transformer(
        OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-2)
    ),
    "ord_unknown_nan": lambda: _fit_transformer(OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan)),
    "ord_infrequent": lambda: _fit_transformer(
        OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=99, min_frequency=0.05, encoded_missing_value=-3)
    ),
    "ord_max_categories": lambda: _fit_transformer(
        OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, max_categories=2)
    ),
    "ord_explicit_int_dtype": lambda: _fit_transformer(
        OrdinalEncoder(
            categories=[["yellow", "red", "blue", "green"], datasets.HOSTILE_CATEGORIES[:5], ["", "dark", "light", np.nan],
                        [1, 2, 3, 5, 8, 13, 21], [0.5, 1.0, 2.25, np.nan], ["yes", "no"]],
            dtype=np.int32, handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-5,
        )
    ),
    "target_binary": lambda: _fit_transformer(TargetEncoder(), "class"),
    "target_multiclass": lambda: _fit_transformer(TargetEncoder(), "multi"),
    "target_continuous": lambda: _fit_transformer(TargetEncoder(smooth=5.0), "reg"),
}


def _pipeline(encoder: Any, rows: int | None = None) -> tuple[Any, pd.DataFrame]:
    """ColumnTransformer(scaler, encoder) + LogisticRegression. Rows with a NULL number are left
    out of the scoring frame: they are refused by LogisticRegression (the linear tests cover
    that), and every refused row makes the harness call sklearn row by row, which is slow."""
    train, score, y_class, _ = frames()
    cols = [*NUMERIC, *CATS]
    ct = ColumnTransformer([("num", StandardScaler(), NUMERIC), ("cat", encoder, CATS)])
    model = make_pipeline(ct, LogisticRegression(max_iter=3000))
    X = score.loc[score[NUMERIC].notna().all(axis=1), cols]
    return model.fit(train[cols], y_class), X.iloc[:rows] if rows else X


PIPELINES: dict[str, Any] = {
    "ct_ohe_ignore_logreg": lambda: _pipeline(OneHotEncoder(handle_unknown="ignore")),
    "ct_ohe_error_logreg": lambda: _pipeline(OneHotEncoder(drop="first"), rows=60),
    "ct_ohe_infrequent_logreg": lambda: _pipeline(
        OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=0.05, drop="if_binary")
    ),
    "ct_ordinal_logreg": lambda: _pipeline(
        OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1)
    ),
    "ct_target_logreg": lambda: _pipeline(TargetEncoder()),
}

_fitted: dict[str, Any] = {}


def fitted(name: str) -> Any:
    if name not in _fitted:
        _fitted[name] = TRANSFORMERS[name]() if name in TRANSFORMERS else PIPELINES[name]()
    return _fitted[name]


@cache
def _cats_head() -> pd.DataFrame:
    """Fewer rows for encoders that refuse rows (the harness then calls sklearn row by row)."""
    return _cats().iloc[:70]


@pytest.mark.parametrize("case", sorted(TRANSFORMERS))
def test_encoder_parity(case: str, engine: Engine) -> None:
    est = fitted(case)
    refuses = getattr(est, "handle_unknown", None) == "error"
    check_parity(est, _cats_head() if refuses else _cats(), engine)


@pytest.mark.parametrize("case", sorted(PIPELINES))
def test_pipeline_parity(case: str, engine: Engine) -> None:
    model, X = fitted(case)
    check_parity(model, X, engine)


def test_error_rows_are_null() -> None:
    """Under handle_unknown='error' a row with any unknown gives NULL in every output; the scoring
    data really has such rows, and rows with all categories known are numbers."""
    est = fitted("ohe_error")
    X = _cats()
    out = skl2sql.compile(est, table="t").evaluate({c: X[c].tolist() for c in CATS})
    first = np.asarray(next(iter(out.values())))
    nulls = np.isnan(first)
    assert 0 < nulls.sum() < len(X)
    for v in out.values():
        assert np.array_equal(np.isnan(np.asarray(v, dtype=float)), nulls)


def test_output_names_follow_sklearn() -> None:
    est = fitted("ohe_infrequent_drop_first")
    compiled = skl2sql.compile(est, table="t")
    assert len(compiled.outputs) == len(est.get_feature_names_out())
    assert any("infrequent_sklearn" in o for o in compiled.outputs)
    multi = fitted("target_multiclass")
    assert len(skl2sql.compile(multi, table="t").outputs) == len(CATS) * 3


def test_none_and_nan_both_categories_are_refused() -> None:
    X = pd.DataFrame({"c": np.array(["a", None, np.nan, "b"], dtype=object)}, dtype=object)
    est = OneHotEncoder().fit(X)
    with pytest.raises(UnsupportedEstimatorError, match="None and NaN"):
        skl2sql.compile(est, table="t")


# ---------------------------------------------------------------------------------------------
# Exact string equality
# ---------------------------------------------------------------------------------------------

KNOWN = ["red", "Red", "ünï", "a b", "", "NULL", "it's", "back\\slash"]
PROBES = [
    "red", "Red", "RED", "red ", " red", "rëd", "ünï", "ÜNÏ", "uni", "ünï ", "a b", "a  b", "A B",
    "", " ", "  ", "NULL", "null", "it's", "IT'S", "back\\slash", "back\\\\slash", None,
]


@cache
def _variant_models() -> tuple[pd.DataFrame, list[Any]]:
    train = pd.DataFrame({"v": pd.array(KNOWN * 3, dtype="str")})
    score = pd.DataFrame({"v": pd.array(PROBES, dtype="str")})
    models = [
        OneHotEncoder(handle_unknown="ignore").fit(train),
        OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, max_categories=4).fit(train),
    ]
    return score, models


def test_one_hot_string_equality_is_exact(engine: Engine) -> None:
    """Case, trailing-space, accent and unicode variants are distinct categories everywhere
    (MariaDB's utf8mb4_general_ci says 'red' = 'Red ' = 'rëd')."""
    score, models = _variant_models()
    for est in models:
        check_parity(est, score, engine)


def test_ir_string_compare_and_in_list(engine: Engine) -> None:
    """Compare('=' / '!=') and InList with string literals agree with Python's == on every
    engine, NULL giving NULL."""
    x = ir.col("v")

    def flag(c: ir.Expr) -> ir.Expr:
        return ir.Case(((c, ir.lit(1.0)), (ir.Not(c), ir.lit(0.0))), None)

    outputs = (
        ("eq", flag(ir.Compare("=", x, ir.lit("red")))),
        ("ne", flag(ir.Compare("!=", ir.lit("a b"), x))),
        ("inl", flag(ir.InList(x, (ir.lit("ünï"), ir.lit(""), ir.lit("NULL"))))),
    )
    program = Program(("v",), (), outputs)
    table = engine.new_table_name()
    engine.create_table(table, {"row_id": list(range(len(PROBES))), "v": PROBES})
    try:
        policy = resolve_dialect(engine.dialect)
        got = engine.query(render(build_select(program, table, ["row_id"], policy), policy))
    finally:
        engine.drop_table(table)
    order = np.argsort(got["row_id"])

    def want(fn: Any) -> list[float | None]:
        return [None if p is None else float(fn(p)) for p in PROBES]

    expected = {
        "eq": want(lambda p: p == "red"),
        "ne": want(lambda p: p != "a b"),
        "inl": want(lambda p: p in ("ünï", "", "NULL")),
    }
    for name, values in expected.items():
        g = got[name][order]
        for probe, gv, wv in zip(PROBES, g, values, strict=True):
            assert (np.isnan(gv) if wv is None else gv == wv), f"{engine.name} {name}({probe!r}) = {gv}, want {wv}"


def test_mariadb_latin1_column(engine: Engine) -> None:
    """The collation sits on the literal, so a latin1 column (not only utf8mb4) compares exactly."""
    if engine.name != "mariadb":
        pytest.skip("MariaDB character sets")
    train = pd.DataFrame({"v": pd.array(["red", "rëd", "blue"] * 3, dtype="str")})
    est = OneHotEncoder(handle_unknown="ignore").fit(train)
    table = engine.new_table_name()
    ddl = sqlglot.parse_one("CREATE TABLE t (row_id INT, v VARCHAR(20) CHARACTER SET latin1)", read="mysql")
    target = ddl.find(sqlglot.exp.Table)
    assert target is not None
    target.set("this", sqlglot.exp.Identifier(this=table, quoted=True))
    engine.execute(ddl.sql(dialect="mysql"))
    probes = ["red", "Red", "red ", "rëd", "RËD", "blue", "BLUE", None]
    try:
        insert = sqlglot.exp.insert(
            sqlglot.exp.Values(expressions=[sqlglot.exp.Tuple(expressions=[sqlglot.exp.Placeholder()] * 2)]),
            sqlglot.exp.Table(this=sqlglot.exp.Identifier(this=table, quoted=True)),
        )
        engine.executemany(insert.sql(dialect="mysql").replace("?", "%s"), list(enumerate(probes)))
        compiled = skl2sql.compile(est, table=table, dialect="mysql", keep=["row_id"])
        got = engine.query(compiled.sql)
    finally:
        engine.drop_table(table)
    want = est.transform(pd.DataFrame({"v": pd.array(probes, dtype="str")})).toarray()
    order = np.argsort(got["row_id"])
    for k, name in enumerate(compiled.outputs):
        assert np.array_equal(got[name][order], want[:, k]), name


def test_tsql_emits_binary_collation() -> None:
    """SQL Server (emit-only): N'...' literals in a BIN2 collation, sentinel against ANSI padding."""
    train = pd.DataFrame({"v": pd.array(["red", "ünï"] * 3, dtype="str")})
    sql = skl2sql.compile(OneHotEncoder(handle_unknown="ignore").fit(train), table="t", dialect="tsql").sql
    assert "COLLATE Latin1_General_100_BIN2" in sql
    assert "N'ünï.'" in sql and "N'.'" in sql
    sqlglot.parse_one(sql, read="tsql")


def test_plain_dialects_compare_without_collation() -> None:
    train = pd.DataFrame({"v": pd.array(["red", "blue"] * 3, dtype="str")})
    est = OneHotEncoder(handle_unknown="ignore").fit(train)
    for dialect in ("duckdb", "postgres", "sqlite", "snowflake"):
        sql = skl2sql.compile(est, table="t", dialect=dialect).sql
        assert "COLLATE" not in sql and "'red'" in sql


# ---------------------------------------------------------------------------------------------
# None as a category (object columns) and integer categories scored as floats
# ---------------------------------------------------------------------------------------------


@cache
def _object_and_float_models() -> tuple[pd.DataFrame, list[Any]]:
    """An object column whose missing marker at fit is ``None`` (OrdinalEncoder treats ``None``
    as an ordinary category, only NaN as missing), and integer categories scored from a float
    column: sklearn matches 3.0 with the category 3, as NumPy's == does."""
    train = pd.DataFrame(
        {
            "o": pd.Series(["x", "y", None, "x", "y", "z"] * 5, dtype=object),
            "i": np.array([1, 2, 3, 3, 2, 1] * 5, dtype=np.int64),
        }
    )
    score = pd.DataFrame(
        {
            "o": pd.Series(["x", None, "z", "w", "X", "y", "", "x "] * 2, dtype=object),
            "i": np.array([1.0, 3.0, 2.0, 3.5, np.nan, 0.0, 2.0, 4.0] * 2),
        }
    )
    models = [
        OneHotEncoder(handle_unknown="ignore").fit(train),
        OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=3, drop="first").fit(train),
        OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1).fit(train),
        OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, min_frequency=6).fit(train),
        TargetEncoder(target_type="continuous").fit(train, np.arange(len(train), dtype=float)),
    ]
    return score, models


def test_none_category_and_float_scored_integers(engine: Engine) -> None:
    score, models = _object_and_float_models()
    assert models[2].categories_[0][-1] is None
    for est in models:
        check_parity(est, score, engine)
