"""GaussianProcessRegressor: the predictive mean, ``K(x, X_train_) @ alpha_``, un-normalised.

sklearn's ``predict`` (without ``return_std``/``return_cov``) evaluates the fitted kernel
``kernel_`` between the row and every training row, multiplies by ``alpha_`` and, with
``normalize_y``, maps back: ``_y_train_std * mean + _y_train_mean``. The kernel is a tree of
sklearn kernel objects, evaluated here node by node as sklearn writes each ``__call__(X, Y)``:

- ``RBF``: ``exp(-0.5 * sqeuclidean(x / l, y / l))`` (``x / l`` computed once per length scale);
- ``Matern`` with ``nu`` 0.5, 1.5, 2.5 or inf: ``d = euclidean(x / l, y / l)``, then
  ``exp(-d)``, ``(1 + K) exp(-K)`` with ``K = d sqrt(3)``, ``(1 + K + K^2 / 3) exp(-K)`` with ``K =
  d sqrt(5)``, or ``exp(-d^2 / 2)``;
- ``RationalQuadratic`` (one length scale): ``(1 + sqeuclidean(x, y) / (2 alpha l^2)) ^ -alpha``;
- ``DotProduct``: ``<x, y> + sigma_0^2``; ``ConstantKernel``: its value; ``WhiteKernel``: 0
  (between different points, as sklearn gives it with ``Y`` passed);
- ``Sum``, ``Product`` and ``Exponentiation`` of those.

Squared distances are summed dimension by dimension, as SciPy's ``cdist`` does; ``alpha_``
products left to right where BLAS may group them otherwise. Refused: other kernels
(``ExpSineSquared`` needs a sine; ``Matern`` with other ``nu`` needs Bessel functions), multi-target
models, and an unfitted prior (no ``X_train_``). A NULL feature gives NULL (sklearn refuses NaN).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process import kernels as gpk

from ..errors import UnsupportedEstimatorError
from ..ir import Arith, Expr, Func, add, div, lit, mul, safe_exp, total
from ..program import Context, Feature, Prediction
from .kernels import squared_gap
from .prep_common import fitted_inputs
from .registry import register

__all__ = ["assemble_gaussian_process_regressor"]


class _Evaluator:
    """Kernel values between the row ``xs`` and each training row, one list per kernel node."""

    def __init__(self, xs: list[Expr], train: np.ndarray, ctx: Context) -> None:
        self.xs = xs
        self.train = train
        self.ctx = ctx
        self.scaled: dict[bytes, list[Expr]] = {}

    def _scaled_inputs(self, scale: np.ndarray) -> list[Expr]:
        """``x / length_scale``, computed once per distinct length scale."""
        key = scale.tobytes()
        if key not in self.scaled:
            self.scaled[key] = self.ctx.materialize([div(x, lit(float(s))) for x, s in zip(self.xs, scale, strict=True)], "xl")
        return self.scaled[key]

    def _length_scale(self, k: Any) -> np.ndarray:
        return np.broadcast_to(np.asarray(k.length_scale, dtype=np.float64), (len(self.xs),))

    def _squared_distances(self, xs: Sequence[Expr], ys: np.ndarray) -> list[Expr]:
        return [total([squared_gap(x, float(w)) for x, w in zip(xs, row, strict=True)]) for row in ys]

    def values(self, k: Any) -> list[Expr]:
        """By exact class: sklearn's ``Matern`` subclasses ``RBF``, and a subclass may compute
        anything."""
        n = len(self.train)
        kind = type(k)
        if kind is gpk.Sum:
            return [add(a, b) for a, b in zip(self.values(k.k1), self.values(k.k2), strict=True)]
        if kind is gpk.Product:
            return [Arith("*", a, b) for a, b in zip(self.values(k.k1), self.values(k.k2), strict=True)]
        if kind is gpk.Exponentiation:
            return [Func("power", (v, lit(float(k.exponent)))) for v in self.values(k.kernel)]
        if kind is gpk.ConstantKernel:
            return [lit(float(k.constant_value))] * n
        if kind is gpk.WhiteKernel:
            return [lit(0.0)] * n
        if kind is gpk.DotProduct:
            s0 = float(k.sigma_0) ** 2
            return [total([*(mul(x, lit(float(w))) for x, w in zip(self.xs, row, strict=True)), lit(s0)]) for row in self.train]
        if kind is gpk.RBF:
            scale = self._length_scale(k)
            d2 = self._squared_distances(self._scaled_inputs(scale), self.train / scale)
            return [safe_exp(mul(lit(-0.5), d)) for d in d2]
        if kind is gpk.Matern:
            return self._matern(k)
        if kind is gpk.RationalQuadratic:
            if np.ndim(k.length_scale) != 0:
                raise UnsupportedEstimatorError("RationalQuadratic with several length scales is not supported")
            denom = 2.0 * float(k.alpha) * float(k.length_scale) ** 2
            d2 = self.ctx.materialize(self._squared_distances(self.xs, self.train), "d2")
            return [Func("power", (add(lit(1.0), div(d, lit(denom))), lit(-float(k.alpha)))) for d in d2]
        raise UnsupportedEstimatorError(
            f"GaussianProcessRegressor kernel {type(k).__name__} is not supported: RBF, Matern (nu 0.5, 1.5, 2.5, inf), "
            "RationalQuadratic, DotProduct, ConstantKernel, WhiteKernel and their sums, products and powers are"
        )

    def _matern(self, k: Any) -> list[Expr]:
        nu = float(k.nu)
        scale = self._length_scale(k)
        if nu not in (0.5, 1.5, 2.5, math.inf):
            raise UnsupportedEstimatorError(f"Matern kernel with nu={nu} needs Bessel functions: only 0.5, 1.5, 2.5, inf")
        d2 = self._squared_distances(self._scaled_inputs(scale), self.train / scale)
        d = self.ctx.materialize([Func("sqrt", (e,)) for e in d2], "dist")
        if nu == math.inf:
            # sklearn: exp(-dists ** 2 / 2) with dists = sqrt(d2); the square of the root is d2 within an ulp
            return [safe_exp(div(mul(lit(-1.0), Arith("*", v, v)), lit(2.0))) for v in d]
        if nu == 0.5:
            return [safe_exp(mul(lit(-1.0), v)) for v in d]
        factor = math.sqrt(3.0) if nu == 1.5 else math.sqrt(5.0)
        scaled = self.ctx.materialize([mul(v, lit(factor)) for v in d], "mk")
        if nu == 1.5:
            return [Arith("*", add(lit(1.0), v), safe_exp(mul(lit(-1.0), v))) for v in scaled]
        return [
            Arith("*", total([lit(1.0), v, div(Arith("*", v, v), lit(3.0))]), safe_exp(mul(lit(-1.0), v))) for v in scaled
        ]


@register(GaussianProcessRegressor)
def assemble_gaussian_process_regressor(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    if not hasattr(est, "X_train_"):
        raise UnsupportedEstimatorError("GaussianProcessRegressor without training data (the prior) is not supported")
    alpha = np.asarray(est.alpha_, dtype=np.float64)
    if alpha.ndim == 2 and alpha.shape[1] != 1:
        raise UnsupportedEstimatorError(f"GaussianProcessRegressor with {alpha.shape[1]} targets is not supported")
    train = est.X_train_
    if not isinstance(train, np.ndarray) or train.dtype.kind not in "fiu":
        raise UnsupportedEstimatorError("GaussianProcessRegressor fitted on non-numeric data is not supported")
    train = np.asarray(train, dtype=np.float64)
    xs = fitted_inputs(est, features, ctx, train.shape[1])
    values = ctx.materialize(_Evaluator(xs, train, ctx).values(est.kernel_), "k", pin=True)
    mean = total([mul(v, lit(float(a))) for v, a in zip(values, alpha.reshape(-1), strict=True)])
    std = float(np.asarray(est._y_train_std).reshape(-1)[0])
    offset = float(np.asarray(est._y_train_mean).reshape(-1)[0])
    return Prediction("regressor", add(mul(lit(std), mean), lit(offset)))
