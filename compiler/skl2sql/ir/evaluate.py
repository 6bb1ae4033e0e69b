"""Evaluate IR in NumPy with SQL semantics.

This is the middle leg of the three-way check (estimator = IR = SQL): a disagreement between the
estimator and the IR is an assembler bug; one between the IR and an engine is a lowering or dialect
bug. Numbers are float64 arrays with NaN standing for NULL; text is an object array with ``None``
for NULL; truth values are float arrays of 1.0 / 0.0 / NaN (unknown).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import numpy as np

from ..program import Program
from .nodes import (
    And,
    Arith,
    ArrayForm,
    Case,
    Cast,
    Column,
    Compare,
    Expr,
    Func,
    InList,
    IsNull,
    Literal,
    Lookup,
    Not,
    Or,
    Sum,
)

__all__ = ["evaluate", "evaluate_program", "evaluators"]


def _is_obj(a: np.ndarray) -> bool:
    return a.dtype == object


def _null(a: np.ndarray) -> np.ndarray:
    if _is_obj(a):
        return np.array([v is None or (isinstance(v, float) and np.isnan(v)) for v in a], dtype=bool)
    return np.isnan(a)


def _as_float(a: np.ndarray) -> np.ndarray:
    if not _is_obj(a):
        return a.astype(np.float64, copy=False)
    out = np.full(a.shape, np.nan)
    for i, v in enumerate(a):
        if v is not None and not (isinstance(v, float) and np.isnan(v)):
            out[i] = float(v)
    return out


def _truth(a: np.ndarray) -> np.ndarray:
    """True where the condition is definitely true (SQL WHEN semantics)."""
    return np.asarray(a == 1.0, dtype=bool)


#: Node type -> its NumPy evaluation (``evaluate(node, env, n)``), registered with :func:`_evaluates`.
_EVALUATORS: dict[type, Callable[[Any, Mapping[str, np.ndarray], int], np.ndarray]] = {}

E = TypeVar("E", bound=Callable[..., np.ndarray])


def _evaluates(node_type: type) -> Callable[[E], E]:
    def register(fn: E) -> E:
        _EVALUATORS[node_type] = fn
        return fn

    return register


def evaluators() -> dict[type, Callable[..., np.ndarray]]:
    """The evaluation of each node type (for the check that every node has one)."""
    return dict(_EVALUATORS)


def evaluate(e: Expr, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    """Evaluate one expression over ``n`` rows of ``env`` (column name -> array)."""
    try:
        fn = _EVALUATORS[type(e)]
    except KeyError:
        raise TypeError(f"not an IR node: {e!r}") from None
    return fn(e, env, n)


@_evaluates(Column)
def _column(e: Column, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    if e.name not in env:
        raise KeyError(f"column {e.name!r} is not available")
    return env[e.name]


@_evaluates(Literal)
def _literal(e: Literal, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    v = e.value
    if v is None:
        return np.full(n, np.nan)
    if isinstance(v, str):
        return np.array([v] * n, dtype=object)
    return np.full(n, float(v))


@_evaluates(Arith)
def _arith(e: Arith, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    a = _as_float(evaluate(e.left, env, n))
    b = _as_float(evaluate(e.right, env, n))
    with np.errstate(all="ignore"):
        if e.op == "+":
            return a + b
        if e.op == "-":
            return a - b
        if e.op == "*":
            return a * b
        out = a / b
        out[b == 0] = np.nan  # SQL: NULL (SQLite/MySQL) or error; never inf
        return out


@_evaluates(Sum)
def _sum(e: Sum, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    acc = _as_float(evaluate(e.terms[0], env, n)).copy()
    for t in e.terms[1:]:
        acc = acc + _as_float(evaluate(t, env, n))
    return acc


@_evaluates(Func)
def _function(e: Func, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    return _func(e.name, [_as_float(evaluate(a, env, n)) for a in e.args])


@_evaluates(Compare)
def _comparison(e: Compare, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    return _compare(e.op, evaluate(e.left, env, n), evaluate(e.right, env, n))


@_evaluates(And)
def _and(e: And, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    out = np.ones(n)
    anynull = np.zeros(n, dtype=bool)
    for p in [evaluate(i, env, n) for i in e.items]:
        out = np.where(p == 0.0, 0.0, out)
        anynull |= np.isnan(p)
    return np.where((out == 1.0) & anynull, np.nan, out)


@_evaluates(Or)
def _or(e: Or, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    out = np.zeros(n)
    anynull = np.zeros(n, dtype=bool)
    for p in [evaluate(i, env, n) for i in e.items]:
        out = np.where(p == 1.0, 1.0, out)
        anynull |= np.isnan(p)
    return np.where((out == 0.0) & anynull, np.nan, out)


@_evaluates(Not)
def _not(e: Not, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    p = evaluate(e.item, env, n)
    return np.where(np.isnan(p), np.nan, 1.0 - p)


@_evaluates(IsNull)
def _is_null(e: IsNull, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    return _null(evaluate(e.item, env, n)).astype(np.float64)


@_evaluates(InList)
def _in_list(e: InList, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    item = evaluate(e.item, env, n)
    out = np.zeros(n)
    for value in e.values:
        out = np.where(_compare("=", item, evaluate(value, env, n)) == 1.0, 1.0, out)
    return np.where(_null(item), np.nan, out)


@_evaluates(Cast)
def _cast(e: Cast, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    item = evaluate(e.item, env, n)
    if e.to in ("double", "number"):
        return _as_float(item)
    if e.to == "float32":
        return _as_float(item).astype(np.float32).astype(np.float64)
    if e.to == "int":
        f = _as_float(item)
        return np.where(np.isnan(f), np.nan, np.trunc(f))
    return np.array([None if v is None else str(v) for v in item], dtype=object)


@_evaluates(ArrayForm)
def _array_form(e: ArrayForm, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    return evaluate(e.value, env, n)  # the plain form is checked by engines without arrays


@_evaluates(Lookup)
def _lookup(e: Lookup, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    idx = _as_float(evaluate(e.index, env, n))
    table = np.asarray(e.values, dtype=np.float64)
    ok = ~np.isnan(idx)
    out = np.full(n, np.nan)
    pos = idx[ok].astype(np.int64) - 1
    if np.any((pos < 0) | (pos >= len(table))):
        raise ValueError("Lookup index out of range")
    out[ok] = table[pos]
    return out


@_evaluates(Case)
def _case(e: Case, env: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    values = [evaluate(v, env, n) for _, v in e.whens]
    default = evaluate(e.default, env, n) if e.default is not None else None
    text = any(_is_obj(v) for v in values) or (default is not None and _is_obj(default))
    if text:
        out: np.ndarray = np.array([None] * n, dtype=object)
        if default is not None:
            out[:] = default
    else:
        out = np.full(n, np.nan) if default is None else _as_float(default).copy()
    taken = np.zeros(n, dtype=bool)
    for (c, _), v in zip(e.whens, values, strict=True):
        hit = _truth(evaluate(c, env, n)) & ~taken
        if text:
            out[hit] = v[hit]
        else:
            out[hit] = _as_float(v)[hit]
        taken |= hit
    return out


def _compare(op: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    na, nb = _null(a), _null(b)
    if _is_obj(a) or _is_obj(b):
        res = np.zeros(len(a))
        for i in range(len(a)):
            if na[i] or nb[i]:
                continue
            x: Any = a[i]
            y: Any = b[i]
            if isinstance(x, str) != isinstance(y, str):
                x, y = str(x), str(y)
            res[i] = float(_py_compare(op, x, y))
        res[na | nb] = np.nan
        return res
    with np.errstate(invalid="ignore"):
        if op == "<":
            r = a < b
        elif op == "<=":
            r = a <= b
        elif op == ">":
            r = a > b
        elif op == ">=":
            r = a >= b
        elif op == "=":
            r = a == b
        else:
            r = a != b
    out = r.astype(np.float64)
    out[na | nb] = np.nan
    return out


def _py_compare(op: str, x: Any, y: Any) -> bool:
    if op == "<":
        return bool(x < y)
    if op == "<=":
        return bool(x <= y)
    if op == ">":
        return bool(x > y)
    if op == ">=":
        return bool(x >= y)
    if op == "=":
        return bool(x == y)
    return bool(x != y)


def _func(name: str, args: list[np.ndarray]) -> np.ndarray:
    x = args[0]
    with np.errstate(all="ignore"):
        if name == "exp":
            return np.exp(x)
        if name == "ln":
            return np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), np.nan)
        if name == "log10":
            return np.where(x > 0, np.log10(np.where(x > 0, x, 1.0)), np.nan)
        if name == "sqrt":
            return np.where(x >= 0, np.sqrt(np.where(x >= 0, x, 0.0)), np.nan)
        if name == "abs":
            return np.abs(x)
        if name == "sign":
            return np.sign(x)
        if name == "floor":
            return np.floor(x)
        if name == "ceil":
            return np.ceil(x)
        if name == "power":
            return np.power(x, args[1])
        if name == "cos":
            return np.cos(x)
        if name == "sin":
            return np.sin(x)
        if name == "asin":
            return np.where(np.abs(x) <= 1, np.arcsin(np.where(np.abs(x) <= 1, x, 0.0)), np.nan)
    raise ValueError(f"unknown function {name}")


def evaluate_program(program: Program, data: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Run a whole program over input columns (arrays or lists; ``None``/NaN are NULL) and
    return the outputs by name."""
    env: dict[str, np.ndarray] = {}
    n = 0
    for name in program.inputs:
        raw = data[name]
        arr = np.asarray(raw)
        if arr.dtype.kind in "fiub":
            arr = arr.astype(np.float64)
        else:
            arr = np.array([None if (v is None or (isinstance(v, float) and np.isnan(v))) else v for v in raw], dtype=object)
        env[name] = arr
        n = len(arr)
    for stage in program.stages:
        for name, e in stage.columns:
            env[name] = evaluate(e, env, n)
    return {name: evaluate(e, env, n) for name, e in program.outputs}
