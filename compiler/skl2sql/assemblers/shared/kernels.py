"""Kernel values between a row and stored vectors (support vectors, training rows), shared by the
kernel SVMs (:mod:`.svm`) and KernelRidge (:mod:`.kernel_ridge`).

Each kernel is written in its direct form: ``linear`` ``<x, v>``; ``rbf`` ``exp(-gamma *
sum((x - v)^2))``; ``laplacian`` ``exp(-gamma * sum(|x - v|))``; ``poly`` ``(gamma * <x, v> +
coef0) ^ degree``; ``sigmoid`` ``tanh(gamma * <x, v> + coef0)``. The values are a pinned stage,
one column per stored vector, even where each is read once: inlined into one sum of 400 kernels,
DuckDB took 7 s to plan the query; as columns, 1 s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from ...errors import UnsupportedEstimatorError
from ...ir import Arith, Expr, Func, lit, mul, safe_exp, tanh, total
from ..context import Context
from ..interface import Feature
from .prep_common import fitted_inputs, guard_row

__all__ = ["KERNELS", "kernel_values", "pairwise_kernel_values", "squared_gap", "powi"]

#: The kernels :func:`kernel_values` writes.
KERNELS = ("linear", "poly", "rbf", "sigmoid", "laplacian")


def _dot(xs: Sequence[Expr], v: np.ndarray) -> Expr:
    """``<x, v>`` left to right; zero entries of ``v`` are left out (exact for finite ``x``)."""
    return total([mul(x, lit(float(w))) for x, w in zip(xs, v, strict=True) if w != 0.0])


def squared_gap(x: Expr, w: float) -> Expr:
    """``(x - w) ** 2`` as a product, written ``(x - w) * (x + -w)``: the same two doubles (IEEE
    subtraction is addition of the negation), but not the same expression twice. DuckDB's
    common-subexpression pass is quadratic in repeated expressions: 400 support vectors x 10
    features written ``(x - w) * (x - w)`` took 18 s to plan, this 1 s."""
    if w == 0.0:
        return Arith("*", x, x)
    return Arith("*", Arith("-", x, lit(w)), Arith("+", x, lit(-w)))


def powi(base: Expr, times: int) -> Expr:
    """libsvm's ``powi``: ``tmp = base, ret = 1``; per bit of ``times`` from the lowest,
    ``ret *= tmp`` when the bit is set, then ``tmp *= tmp`` (``1 * tmp`` is ``tmp`` exactly)."""
    ret: Expr | None = None
    tmp = base
    t = times
    while t > 0:
        if t % 2 == 1:
            ret = tmp if ret is None else Arith("*", ret, tmp)
        t //= 2
        if t > 0:
            tmp = Arith("*", tmp, tmp)
    return lit(1.0) if ret is None else ret


def kernel_values(
    xs: Sequence[Expr],
    vectors: np.ndarray,
    kernel: str,
    ctx: Context,
    *,
    gamma: float,
    coef0: float = 0.0,
    degree: float = 3,
    power: Literal["powi", "pow"] = "powi",
) -> list[Expr]:
    """One expression per row of ``vectors``: ``k(x, v)``, in one pinned stage. ``power``: how
    the polynomial kernel raises to ``degree``, libsvm's ``powi`` or ``pow`` as NumPy's ``**``."""
    assert kernel in KERNELS, kernel
    if kernel in ("rbf", "laplacian"):
        values = []
        for v in vectors:
            if kernel == "rbf":
                gaps = [squared_gap(x, float(w)) for x, w in zip(xs, v, strict=True)]
            else:
                gaps = [Func("abs", (Arith("-", x, lit(float(w))),)) for x, w in zip(xs, v, strict=True)]
            values.append(safe_exp(mul(lit(-gamma), total(gaps))))
        return ctx.materialize(values, "k", pin=True)
    dots = [_dot(xs, v) for v in vectors]
    # A zero entry leaves its input out of that dot product; an input left out of any must still
    # make the row NULL (sklearn refuses it), so the products are guarded by those inputs.
    skipped = [x for j, x in enumerate(xs) if np.any(vectors[:, j] == 0.0)]
    if skipped:
        dots = guard_row(skipped, dots, ctx)
    if kernel == "linear":
        return ctx.materialize(dots, "k", pin=True)
    inner = ctx.materialize([total([mul(lit(gamma), d), lit(coef0)]) for d in dots], "kin")
    if kernel == "sigmoid":
        return ctx.materialize([tanh(z) for z in inner], "k", pin=True)
    if power == "powi":
        return ctx.materialize([powi(z, int(degree)) for z in inner], "k", pin=True)
    return ctx.materialize([Func("power", (z, lit(float(degree)))) for z in inner], "k", pin=True)


#: sklearn's ``pairwise_kernels`` metric names that :func:`pairwise_kernel_values` writes.
PAIRWISE_NAMES = {"linear": "linear", "rbf": "rbf", "laplacian": "laplacian", "poly": "poly", "polynomial": "poly", "sigmoid": "sigmoid"}


def pairwise_kernel_values(est: Any, features: Sequence[Feature], ctx: Context, stored: np.ndarray, params: dict[str, Any]) -> list[Expr]:
    """``pairwise_kernels(x, stored, metric=est.kernel, filter_params=True, **params)``
    (KernelRidge, Nystroem, KernelPCA), with the defaults of sklearn's kernel functions for a
    parameter left at None (``gamma`` 1 / n_features, ``coef0`` 1, ``degree`` 3); the polynomial
    power is ``POWER``, as NumPy's ``**``."""
    kernel = est.kernel
    if callable(kernel) or kernel not in PAIRWISE_NAMES:
        raise UnsupportedEstimatorError(
            f"{type(est).__name__} with kernel={kernel!r} is not supported: {', '.join(sorted(PAIRWISE_NAMES))} are"
        )
    d = stored.shape[1]
    xs = fitted_inputs(est, features, ctx, d)

    def given(name: str, default: float) -> float:
        value = params.get(name)
        return float(default if value is None else value)

    return kernel_values(
        xs, stored, PAIRWISE_NAMES[kernel], ctx,
        gamma=given("gamma", 1.0 / d), coef0=given("coef0", 1.0), degree=given("degree", 3), power="pow",
    )
