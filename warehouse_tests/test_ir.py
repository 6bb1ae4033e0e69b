"""The IR evaluator against real SQL semantics, on every engine of the matrix.

``skl2sql.ir.evaluate`` is the middle leg of the three-way check, so it must agree with what engines compute
for the awkward cases: NULL through arithmetic and functions, CASE with unknown conditions, argmax
ties and NULLs, the logistic and softmax links at extreme scores (PostgreSQL raises on exp()
underflow and overflow instead of returning 0 / inf), float constants at the edges of double
precision, and sums long enough to hit recursion limits if they were nested naively.

Findings (measured on DuckDB 2.0, SQLite 3, PostgreSQL 15+, MariaDB 10.11; asserted below):
every engine reads the round-trip literals (``0.1E0``, ``1E-300``, ``1.7976931348623157E308``,
subnormals ``5E-324`` and ``-1.5E-310``) back bit for bit; the sign of ``-0.0`` is not kept
(the lowering writes ``0E0``; harmless, as -0.0 == 0.0 and no assembler divides by a constant 0).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy.special import expit, softmax

from engines import Engine
from skl2sql import ir
from skl2sql.assemblers.context import Context
from skl2sql.dialects import resolve_dialect
from skl2sql.ir.evaluate import evaluate_program
from skl2sql.lowering import render
from skl2sql.program import Program
from skl2sql.sql import build_select

X, Y, Z = ir.Column("x"), ir.Column("y"), ir.Column("z")


def run_both(engine: Engine, data: dict[str, list[Any]], outputs: list[tuple[str, ir.Expr]],
             stages: tuple[Any, ...] = ()) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Evaluate ``outputs`` with the IR evaluator and on ``engine``; rows in input order."""
    program = Program(tuple(data), stages, tuple(outputs))
    table = engine.new_table_name()
    engine.create_table(table, {"row_id": list(range(len(next(iter(data.values()))))), **data})
    try:
        policy = resolve_dialect(engine.dialect)
        got = engine.query(render(build_select(program, table, ("row_id",), policy), policy))
    finally:
        engine.drop_table(table)
    order = np.argsort(got["row_id"])
    sql = {name: got[name][order] for name, _ in outputs}
    return evaluate_program(program, data), sql


def assert_same(ir_out: dict[str, np.ndarray], sql_out: dict[str, np.ndarray], want: dict[str, list[Any]],
                rtol: float = 0.0, atol: float = 0.0) -> None:
    for name, expected in want.items():
        exp_arr = np.array([np.nan if v is None else v for v in expected], dtype=np.float64)
        for leg, got in (("IR", ir_out[name]), ("SQL", sql_out[name])):
            np.testing.assert_allclose(np.asarray(got, dtype=np.float64), exp_arr, rtol=rtol, atol=atol,
                                       equal_nan=True, err_msg=f"{leg} {name}")


def test_null_propagation(engine: Engine) -> None:
    data = {"x": [1.0, None, 3.0], "y": [2.0, 2.0, None]}
    outputs = [
        ("add", ir.Arith("+", X, Y)),
        ("mul", ir.Arith("*", X, ir.lit(2.0))),
        ("sum", ir.Sum((X, Y, ir.lit(1.0)))),
        ("exp", ir.Func("exp", (X,))),
        ("cmp", ir.Case(((ir.Compare("<", X, Y), ir.lit(1.0)),), ir.lit(0.0))),
    ]
    ir_out, sql_out = run_both(engine, data, outputs)
    assert_same(ir_out, sql_out, {
        "add": [3.0, None, None],
        "mul": [2.0, None, 6.0],
        "sum": [4.0, None, None],
        "exp": [math.exp(1.0), None, math.exp(3.0)],
        "cmp": [1.0, 0.0, 0.0],  # unknown is not true: the ELSE branch
    }, rtol=1e-15)


def test_case_with_unknown_conditions(engine: Engine) -> None:
    data = {"x": [1.0, None, -1.0], "y": [None, 5.0, 0.0]}
    cond_x = ir.Compare(">", X, ir.lit(0.0))
    outputs = [
        # The first *true* branch wins; unknown conditions are skipped, not taken.
        ("first_true", ir.Case(((cond_x, ir.lit(1.0)), (ir.Compare(">", Y, ir.lit(0.0)), ir.lit(2.0))), ir.lit(3.0))),
        # NOT(unknown) is unknown, not true.
        ("not_unknown", ir.Case(((ir.Not(cond_x), ir.lit(1.0)),), ir.lit(0.0))),
        # No ELSE: NULL.
        ("no_else", ir.Case(((cond_x, ir.lit(1.0)),), None)),
        # AND with a false item is false even next to unknown; OR with a true item is true.
        ("and_false", ir.Case(((ir.And((ir.Compare(">", X, ir.lit(0.0)), ir.Compare(">", Y, ir.lit(0.0)))), ir.lit(1.0)),
                               (ir.Or((ir.Compare(">", X, ir.lit(0.0)), ir.Compare(">", Y, ir.lit(0.0)))), ir.lit(2.0))),
                              ir.lit(0.0))),
        ("is_null", ir.Case(((ir.IsNull(Y), ir.lit(1.0)),), ir.lit(0.0))),
    ]
    ir_out, sql_out = run_both(engine, data, outputs)
    assert_same(ir_out, sql_out, {
        "first_true": [1.0, 2.0, 3.0],
        "not_unknown": [0.0, 0.0, 1.0],
        "no_else": [1.0, None, None],
        "and_false": [2.0, 2.0, 0.0],
        "is_null": [1.0, 0.0, 0.0],
    })


def test_argmax_ties_first_wins_and_null(engine: Engine) -> None:
    data: dict[str, list[Any]] = {"x": [1.0, 0.0, 2.0, 5.0, None, 3.0], "y": [1.0, 2.0, 2.0, 5.0, 1.0, None], "z": [0.0, 2.0, 1.0, 5.0, 1.0, 3.0]}
    label = ir.argmax([X, Y, Z], [ir.lit(0), ir.lit(1), ir.lit(2)])
    ir_out, sql_out = run_both(engine, data, [("label", label)])
    # numpy.argmax: the first maximum wins; a NULL score gives a NULL label, never a guess.
    assert_same(ir_out, sql_out, {"label": [0.0, 1.0, 0.0, 0.0, None, None]})


@pytest.mark.parametrize("scores", [[-1000.0, 1000.0, 0.0, 745.0, -745.0, 710.0, -710.0, 36.0, -36.0, 1e-12]])
def test_sigmoid_extremes(engine: Engine, scores: list[float]) -> None:
    """No overflow or underflow error anywhere (PostgreSQL raises on both); results within 1e-300
    absolute of scipy's expit (exp arguments are clamped at -700)."""
    ir_out, sql_out = run_both(engine, {"x": scores}, [("p", ir.sigmoid(X))])
    want = expit(np.array(scores))
    for got in (ir_out["p"], sql_out["p"]):
        np.testing.assert_allclose(got, want, rtol=1e-15, atol=1e-300)
        assert np.all((got >= 0.0) & (got <= 1.0))


def test_softmax_large_scores(engine: Engine) -> None:
    data: dict[str, list[Any]] = {"x": [1000.0, -1000.0, 0.0, 710.0, None], "y": [999.0, -1000.0, 800.0, -710.0, 1.0], "z": [-1000.0, 1000.0, -800.0, 0.0, 2.0]}
    ctx = Context()
    probs = ir.softmax([X, Y, Z], ctx.materialize)
    outputs = [(f"p{k}", p) for k, p in enumerate(probs)]
    ir_out, sql_out = run_both(engine, data, outputs, tuple(ctx.stages))
    scores = np.array([data["x"][:4], data["y"][:4], data["z"][:4]], dtype=np.float64).T
    want = softmax(scores, axis=1)
    for leg in (ir_out, sql_out):
        got = np.column_stack([leg[f"p{k}"] for k in range(3)])
        np.testing.assert_allclose(got[:4], want, rtol=1e-14, atol=1e-300)
        assert np.all(np.isnan(got[4])), "a NULL score gives NULL probabilities"


FLOATS = [0.1, 1e-300, 1.7976931348623157e308, -1.7976931348623157e308, 5e-324, -1.5e-310,
          2.2250738585072014e-308, 1 / 3, 123456789.12345679, -0.0]


def test_float_literal_round_trip(engine: Engine) -> None:
    """Every constant comes back bit for bit, alone and multiplied by a column holding 1."""
    outputs: list[tuple[str, ir.Expr]] = []
    for i, v in enumerate(FLOATS):
        outputs.append((f"v{i}", ir.Literal(v)))
        outputs.append((f"w{i}", ir.Arith("*", ir.Literal(v), ir.Cast(X, "double"))))
    ir_out, sql_out = run_both(engine, {"x": [1.0]}, outputs)
    for i, v in enumerate(FLOATS):
        for leg, out in (("IR", ir_out), ("SQL", sql_out)):
            for name in (f"v{i}", f"w{i}"):
                got = float(out[name][0])
                if v == 0.0:
                    assert got == 0.0, f"{engine.name} {leg} {name}: {got!r}"  # sign not asserted: see module doc
                else:
                    assert got.hex() == v.hex(), f"{engine.name} {leg} {name}: {got!r} != {v!r}"



def test_long_sum(engine: Engine) -> None:
    """5,000 terms: no recursion error in sqlglot, Python or the engine's parser (SQLite's
    expression depth limit is 1,000), and the value of a left-to-right sum within a few ulps."""
    n = 5000
    coef = np.linspace(-1.0, 1.0, n) + 0.001
    terms: list[ir.Expr] = [ir.Arith("*", ir.lit(float(c)), X) for c in coef]
    expr = ir.Sum((*terms, ir.lit(0.5)))
    ir_out, sql_out = run_both(engine, {"x": [1.0, 2.0, None]}, [("s", expr)])
    want = [float(np.sum(coef) + 0.5), float(np.sum(coef * 2.0) + 0.5), None]
    assert_same(ir_out, sql_out, {"s": want}, rtol=1e-12, atol=1e-12)


def test_exp_clamp_no_underflow(engine: Engine) -> None:
    """``safe_exp`` of a very negative number gives a tiny positive number, not an error."""
    ir_out, sql_out = run_both(engine, {"x": [-5000.0, -700.0, 0.0]}, [("e", ir.safe_exp(X))])
    assert_same(ir_out, sql_out, {"e": [math.exp(-700.0), math.exp(-700.0), 1.0]}, rtol=1e-15)


@pytest.mark.parametrize("n_pieces", [3, 8, 9, 50, 257])
def test_piecewise_binary_search(engine: Engine, n_pieces: int) -> None:
    """``piecewise`` picks piece ``i`` for ``bounds[i-1] <= x < bounds[i]`` (a flat CASE for few
    pieces, a binary search for more): checked at every bound, one ulp either side, outside the
    range and for NULL, against ``numpy.searchsorted``."""
    from skl2sql.assemblers.shared.prep_common import piecewise

    rng = np.random.default_rng(n_pieces)
    bounds = np.unique(rng.normal(size=n_pieces - 1).round(6))
    pieces = [ir.lit(float(i)) for i in range(len(bounds) + 1)]
    xs = np.concatenate([bounds, np.nextafter(bounds, -np.inf), np.nextafter(bounds, np.inf), [-1e9, 1e9]])
    data = {"x": [*xs.tolist(), None]}
    got_ir, got_sql = run_both(engine, data, [("piece", piecewise(X, bounds.tolist(), pieces))])
    want = np.searchsorted(bounds, xs, side="right").astype(float)
    for got in (got_ir["piece"], got_sql["piece"]):
        values = np.asarray(got, dtype=float)
        assert np.array_equal(values[:-1], want)
        assert np.isnan(values[-1])


# -- the node declarations: children, rebuild and the per-type tables ----------------------------


def test_every_node_has_an_evaluation_and_a_lowering() -> None:
    """Adding a node is local: its dataclass, one evaluator and one lowering, each registered by
    type. A node missing from either table fails here, not on the first model that uses it."""
    from skl2sql.ir.evaluate import evaluators
    from skl2sql.lowering import lowerings

    assert set(evaluators()) == set(ir.NODE_TYPES)
    assert set(lowerings()) == set(ir.NODE_TYPES)


def _one_of_each() -> list[ir.Expr]:
    lk = ir.Lookup(ir.Column("i"), (1.0, 2.0), ir.Case(((ir.Compare("=", ir.Column("i"), ir.lit(1)), ir.lit(1.0)),), ir.lit(2.0)))
    return [
        X,
        ir.lit(1.5),
        ir.Arith("-", X, Y),
        ir.Sum((X, Y, Z)),
        ir.Func("power", (X, ir.lit(2.0))),
        ir.Compare("<=", X, ir.lit(0.5)),
        ir.And((ir.IsNull(X), ir.Not(ir.IsNull(Y)))),
        ir.Or((ir.IsNull(X), ir.IsNull(Z))),
        ir.Case(((ir.IsNull(X), Y), (ir.IsNull(Y), Z)), X),
        ir.Case(((ir.IsNull(X), Y),)),
        ir.InList(ir.Column("c"), (ir.lit("a"), ir.lit("b"))),
        ir.Cast(X, "number", flush=True),
        lk,
        ir.Lookup(ir.Column("i"), (1.0,), None),
        ir.ArrayForm(lk, ir.lit(3.0)),
    ]


@pytest.mark.parametrize("e", _one_of_each(), ids=lambda e: type(e).__name__)
def test_children_and_rebuild_agree(e: ir.Expr) -> None:
    """``rebuild(e, children(e))`` is ``e``; rebuilt from other children, only those change;
    the data fields (op, name, values, flush) are kept."""
    kids = ir.children(e)
    assert ir.rebuild(e, kids) == e
    assert ir.rewritten(e, list(kids)) is e
    if kids:
        other = tuple(ir.Column(f"k{i}") for i in range(len(kids)))
        again = ir.rebuild(e, other)
        assert type(again) is type(e) and ir.children(again) == other
        for field in set(type(e).__dataclass_fields__) - {n for n, _ in ir.CHILD_FIELDS[type(e)]}:
            assert getattr(again, field) == getattr(e, field), field


def test_child_fields_are_read_from_the_annotations() -> None:
    assert ir.CHILD_FIELDS[ir.Case] == (("whens", "pairs"), ("default", "optional"))
    assert ir.CHILD_FIELDS[ir.Cast] == (("item", "one"),)
    assert ir.CHILD_FIELDS[ir.Lookup] == (("index", "one"), ("fallback", "optional"))
    assert ir.CHILD_FIELDS[ir.Column] == ()


def test_substitute_and_resolve_lookups_keep_untouched_subtrees() -> None:
    shared = ir.Sum((X, Y))
    e = ir.Arith("*", shared, ir.Arith("+", shared, Z))
    out = ir.substitute(e, {"z": ir.lit(2.0)})
    assert out == ir.Arith("*", shared, ir.Arith("+", shared, ir.lit(2.0)))
    assert out.left is shared  # type: ignore[union-attr]
    assert ir.substitute(e, {"w": ir.lit(1.0)}) is e
    lk = _one_of_each()[12]
    assert isinstance(lk, ir.Lookup) and lk.fallback is not None
    assert ir.resolve_lookups(lk, arrays=False) is lk.fallback
    assert ir.resolve_lookups(lk, arrays=True) == ir.Lookup(lk.index, lk.values, None)
    form = ir.ArrayForm(lk, ir.lit(3.0))
    assert ir.resolve_lookups(ir.Sum((form, X)), arrays=False) == ir.Sum((ir.lit(3.0), X))
    assert ir.resolve_lookups(shared, arrays=True) is shared
