"""The NULL-strictness analysis (:mod:`skl2sql.analysis.null_strict`) that lets a model read an input as
NULL unless finite instead of guarding every output with an infinity flag.

Its claim, "with this column NULL every output is NULL", must never be wrong (a wrong claim would
let an infinity through as a confident score). Checked here on random expressions, by the IR
evaluator and on DuckDB and SQLite; every parity check also re-checks the claim for its model
(``parity.check_finite_reads``).
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skl2sql
from engines import Engine
from skl2sql import ir
from skl2sql.analysis.null_strict import null_strict_columns
from skl2sql.ir.evaluate import evaluate_program
from skl2sql.lowering import render
from skl2sql.program import Program
from skl2sql.sql import build_select

C, D = ir.Column("c"), ir.Column("d")
D_VALUES = [None, -2.0, -1.0, 0.0, 0.5, 1.0, 3.0]


def strict(e: ir.Expr) -> bool:
    return "c" in null_strict_columns([], [e], ["c"])


def random_number(rng: random.Random, depth: int) -> ir.Expr:
    roll = rng.random()
    if depth <= 0 or roll < 0.25:
        return rng.choice([C, D, ir.lit(rng.choice([-1.0, 0.0, 2.0])), ir.Literal(None), C])
    if roll < 0.45:
        op = rng.choice(["+", "-", "*"])
        return ir.Arith(op, random_number(rng, depth - 1), random_number(rng, depth - 1))
    if roll < 0.5:
        return ir.Func("abs", (random_number(rng, depth - 1),))
    if roll < 0.55:
        return ir.Sum(tuple(random_number(rng, depth - 1) for _ in range(3)))
    whens = tuple((random_bool(rng, depth - 1), random_number(rng, depth - 1)) for _ in range(rng.randint(1, 3)))
    return ir.Case(whens, None if rng.random() < 0.3 else random_number(rng, depth - 1))


def random_bool(rng: random.Random, depth: int) -> ir.Expr:
    roll = rng.random()
    if depth <= 0 or roll < 0.4:
        return ir.Compare(rng.choice(["<", "<=", "=", ">"]), random_number(rng, 0), random_number(rng, 0))
    if roll < 0.55:
        return ir.And((random_bool(rng, depth - 1), random_bool(rng, depth - 1)))
    if roll < 0.7:
        return ir.Or((random_bool(rng, depth - 1), random_bool(rng, depth - 1)))
    if roll < 0.8:
        return ir.Not(random_bool(rng, depth - 1))
    if roll < 0.9:
        return ir.IsNull(random_number(rng, depth - 1))
    return ir.InList(random_number(rng, depth - 1), (ir.lit(0.0), ir.lit(1.0)))


def expressions(count: int, seed: int = 11) -> list[tuple[ir.Expr, bool]]:
    rng = random.Random(seed)
    return [(e, strict(e)) for e in (random_number(rng, 4) for _ in range(count))]


def _null(values: np.ndarray) -> list[bool]:
    return [v is None or (isinstance(v, float) and np.isnan(v)) for v in values.tolist()]


def test_claims_hold_in_the_ir_evaluator() -> None:
    """Every expression called strict in ``c`` is NULL with ``c`` NULL, whatever ``d`` holds;
    and the analysis is not vacuous: it finds a good share strict, and of the rest, most really
    are not."""
    cases = expressions(3000)
    data = {"c": [None] * len(D_VALUES), "d": D_VALUES}
    claimed = really = 0
    for e, claim in cases:
        out = evaluate_program(Program(("c", "d"), (), (("o", e),)), data)["o"]
        nulls = all(_null(out))
        if claim:
            claimed += 1
            assert nulls, f"claimed strict but not NULL: {e}"
        really += nulls
    assert 0.3 * len(cases) < claimed <= really
    assert claimed > 0.8 * really, "the analysis misses most strict expressions"


@pytest.mark.parametrize("engine_name", ["duckdb", "sqlite"])
def test_claims_hold_on_engines(engine_name: str) -> None:
    from conftest import get_engine

    engine: Engine = get_engine(engine_name)
    claimed = [e for e, claim in expressions(600, seed=5) if claim][:150]
    outputs = tuple((f"o{i}", e) for i, e in enumerate(claimed))
    program = Program(("c", "d"), (), outputs)
    table = engine.new_table_name()
    engine.create_table(table, {"row_id": list(range(len(D_VALUES))), "c": [None] * len(D_VALUES), "d": D_VALUES})
    try:
        policy = skl2sql.dialects.resolve_dialect(engine.dialect)
        got = engine.query(render(build_select(program, table, ("row_id",), policy), policy))
    finally:
        engine.drop_table(table)
    for name, _ in outputs:
        assert all(_null(np.asarray(got[name], dtype=object))), name


@pytest.mark.parametrize(
    ("expr", "want"),
    [
        (ir.Arith("*", ir.lit(0.0), C), True),  # 0 * NULL is NULL
        (ir.Case(((ir.IsNull(C), ir.lit(0.0)),), C), False),  # an imputer
        (ir.clip(C, 0.0, 1.0), True),
        (ir.And((ir.Compare(">", C, ir.lit(0.0)), ir.Compare(">", D, ir.lit(0.0)))), False),  # NULL AND FALSE
        (ir.Case(((ir.And((ir.Compare(">", C, ir.lit(0.0)), ir.IsNull(D))), ir.lit(1.0)),), None), True),
        (ir.Case(((ir.Or((ir.Compare(">", C, ir.lit(0.0)), ir.IsNull(D))), ir.lit(1.0)),), None), False),
        (ir.argmax([ir.Arith("+", C, D), D], [ir.lit("a"), ir.lit("b")]), True),
        (ir.Lookup(ir.Arith("+", C, ir.lit(1)), (0.5, 0.25), None), True),
    ],
    ids=["zero_times", "imputer", "clip", "and_with_false", "case_and", "case_or", "argmax", "lookup"],
)
def test_known_cases(expr: ir.Expr, want: bool) -> None:
    assert strict(expr) is want


def test_through_stage_columns_and_every_output() -> None:
    """A stage column stands for its definition; a column is strict only if *every* output is
    NULL with it."""
    stages = [(("s", ir.Arith("+", C, D)),)]
    assert null_strict_columns(stages, [ir.Column("s"), ir.Func("exp", (ir.Column("s"),))], ["c", "d"]) == {"c", "d"}
    assert null_strict_columns(stages, [ir.Column("s"), D], ["c", "d"]) == {"d"}


def _fit(imputer: bool) -> Any:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] + rng.normal(size=200) > 0).astype(int)
    steps = ([SimpleImputer()] if imputer else []) + [StandardScaler(), LogisticRegression()]
    return make_pipeline(*steps).fit(X, y)


def test_a_model_without_imputer_needs_no_infinity_flag() -> None:
    """Without an imputer, the inputs are read as NULL unless finite and no flag guards the
    outputs; with one (a NULL is imputed, an infinity must still be refused), the flag stays."""
    compiled = skl2sql.compile(_fit(False), table="t", features=["a", "b", "c"])
    plain = compiled.sql
    imputed = skl2sql.compile(_fit(True), table="t", features=["a", "b", "c"]).sql
    # three reads, each range-checked against the overflow bound (skl2sql.analysis.overflow_bound)
    bound = "8.98846567431158E307"
    assert compiled.input_bound == 2.0**1023 and plain.count(bound) == 6
    assert "_finite" not in plain
    assert "_finite" in imputed
