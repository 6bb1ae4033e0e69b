"""GaussianProcessRegressor (the predictive mean, ``K(x, X_train_) @ alpha_``, un-normalised) and
GaussianProcessClassifier (Laplace approximation, probabilities as sklearn integrates them).

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
products left to right where BLAS may group them otherwise. A regressor fitted on several
targets gives one ``prediction_<i>`` each. Refused: other kernels (``ExpSineSquared`` needs a
sine; ``Matern`` with other ``nu`` needs Bessel functions) and an unfitted prior (no
``X_train_``). A NULL feature gives NULL (sklearn refuses NaN).

GaussianProcessClassifier: each binary problem (``_BinaryGaussianProcessClassifierLaplace``) has
the latent mean ``f = K(x, X_train_) @ (y_train_ - pi_)`` and variance ``var = k(x, x) - |v|^2``
with ``v = solve(L_, W_sr_ * K)``, written as ``A @ K`` with ``A = solve(L_, diag(W_sr_))``
computed by SciPy (``n^2`` terms per row for ``n`` training rows: keep the training set small);
``k(x, x)`` is the kernel's constant diagonal (stationary kernels only). ``predict`` is
``classes_[f > 0]``; ``predict_proba`` sklearn's sum of five error functions (Williams & Barber),
``erf(z) = 2 ndtr(z sqrt(2)) - 1`` through :func:`~.normal_dist.normal_cdf` (a few 1e-16). More
classes go through sklearn's own ``base_estimator_`` (one-vs-rest, or one-vs-one for labels).
A variance rounded to 0 or below (a row on a training point with no noise) gives NULL
probabilities where sklearn's are NaN.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.linalg import solve
from sklearn.gaussian_process import GaussianProcessClassifier, GaussianProcessRegressor
from sklearn.gaussian_process import kernels as gpk
from sklearn.gaussian_process._gpc import COEFS, LAMBDAS, _BinaryGaussianProcessClassifierLaplace

from ...errors import UnsupportedEstimatorError
from ...ir import EXP_FLOOR, Arith, Case, Compare, Expr, Func, add, div, lit, mul, sub, total
from ..context import Context
from ..interface import Feature, Prediction, label_literal, several
from ..registry import predict, register
from ..shared.kernels import squared_gap
from ..shared.normal_dist import normal_cdf
from ..shared.prep_common import dot, fitted_inputs

__all__ = ["assemble_gaussian_process_regressor", "assemble_gaussian_process_classifier", "assemble_binary_gpc"]


#: ``numpy.exp`` is exactly 0 at and below this (the largest x whose exp rounds below half the smallest
#: subnormal, 2^-1075).
EXP_ZERO_BELOW = -745.1332191019412


class _Evaluator:
    """Kernel values between the row ``xs`` and each training row, one list per kernel node."""

    def __init__(self, xs: list[Expr], train: np.ndarray, ctx: Context, owner: str = "GaussianProcessRegressor") -> None:
        self.owner = owner
        self.xs = xs
        self.train = train
        self.ctx = ctx
        self.scaled: dict[bytes, list[Expr]] = {}

    def _exp(self, x: Expr) -> Expr:
        """``numpy.exp(x)`` including its subnormal results and its exact 0 below
        :data:`EXP_ZERO_BELOW` (inclusive); ``safe_exp``'s clamp at -700 would leave ~1e-304 where NumPy has
        0, and the sign of a classifier's latent mean far from every training row (a sum of such
        values, exactly 0 in sklearn, so the first class) would then decide the label. Engines
        that raise on underflow (PostgreSQL) compute ``exp(x + 700) * exp(-700)``, a product
        they accept while it is not 0."""
        x = self.ctx.materialize([x], "ex")[0]
        low = Func("exp", (add(x, lit(-EXP_FLOOR)),))
        return Case(
            (
                (Compare("<=", x, lit(EXP_ZERO_BELOW)), lit(0.0)),
                (Compare("<", x, lit(EXP_FLOOR)), mul(low, lit(math.exp(EXP_FLOOR)))),
            ),
            Func("exp", (x,)),
        )

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
            return [self._exp(mul(lit(-0.5), d)) for d in d2]
        if kind is gpk.Matern:
            return self._matern(k)
        if kind is gpk.RationalQuadratic:
            if np.ndim(k.length_scale) != 0:
                raise UnsupportedEstimatorError("RationalQuadratic with several length scales is not supported")
            denom = 2.0 * float(k.alpha) * float(k.length_scale) ** 2
            d2 = self.ctx.materialize(self._squared_distances(self.xs, self.train), "d2")
            return [Func("power", (add(lit(1.0), div(d, lit(denom))), lit(-float(k.alpha)))) for d in d2]
        raise UnsupportedEstimatorError(
            f"{self.owner} kernel {type(k).__name__} is not supported: RBF, Matern (nu 0.5, 1.5, 2.5, inf), "
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
            return [self._exp(div(mul(lit(-1.0), Arith("*", v, v)), lit(2.0))) for v in d]
        if nu == 0.5:
            return [self._exp(mul(lit(-1.0), v)) for v in d]
        factor = math.sqrt(3.0) if nu == 1.5 else math.sqrt(5.0)
        scaled = self.ctx.materialize([mul(v, lit(factor)) for v in d], "mk")
        if nu == 1.5:
            return [Arith("*", add(lit(1.0), v), self._exp(mul(lit(-1.0), v))) for v in scaled]
        return [
            Arith("*", total([lit(1.0), v, div(Arith("*", v, v), lit(3.0))]), self._exp(mul(lit(-1.0), v))) for v in scaled
        ]


def _training_rows(est: Any) -> np.ndarray:
    if not hasattr(est, "X_train_"):
        raise UnsupportedEstimatorError(f"{type(est).__name__} without training data (the prior) is not supported")
    train = est.X_train_
    if not isinstance(train, np.ndarray) or train.dtype.kind not in "fiu":
        raise UnsupportedEstimatorError(f"{type(est).__name__} fitted on non-numeric data is not supported")
    return np.asarray(train, dtype=np.float64)


@register(GaussianProcessRegressor)
def assemble_gaussian_process_regressor(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    train = _training_rows(est)
    alpha = np.asarray(est.alpha_, dtype=np.float64).reshape(len(train), -1)
    xs = fitted_inputs(est, features, ctx, train.shape[1])
    values = ctx.materialize(_Evaluator(xs, train, ctx).values(est.kernel_), "k", pin=True)
    stds = np.broadcast_to(np.asarray(est._y_train_std, dtype=np.float64).reshape(-1), (alpha.shape[1],))
    means = np.broadcast_to(np.asarray(est._y_train_mean, dtype=np.float64).reshape(-1), (alpha.shape[1],))
    targets = tuple(
        Prediction("regressor", add(mul(lit(float(s)), total([mul(v, lit(float(a))) for v, a in zip(values, w, strict=True)])), lit(float(m))))
        for w, s, m in zip(alpha.T, stds, means, strict=True)
    )
    return several(targets)


def _erf(z: Expr, ctx: Context) -> Expr:
    """``erf(z) = 2 ndtr(z sqrt(2)) - 1``."""
    return sub(mul(lit(2.0), normal_cdf(mul(z, lit(math.sqrt(2.0))), ctx)), lit(1.0))


@register(_BinaryGaussianProcessClassifierLaplace)
def assemble_binary_gpc(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """One binary Laplace GPC (module docstring)."""
    train = _training_rows(est)
    xs = fitted_inputs(est, features, ctx, train.shape[1])
    kernel = est.kernel_
    if not kernel.is_stationary():
        raise UnsupportedEstimatorError("GaussianProcessClassifier with a non-stationary kernel (its variance varies by row) is not supported")
    k_star = ctx.materialize(_Evaluator(xs, train, ctx, "GaussianProcessClassifier").values(kernel), "k", pin=True)
    mean = ctx.materialize([dot(k_star, np.asarray(est.y_train_ - est.pi_, dtype=np.float64))], "gpf")[0]
    weights = solve(est.L_, np.diag(np.asarray(est.W_sr_, dtype=np.float64)))
    v = ctx.materialize([dot(k_star, row) for row in weights], "gpv")
    diag = float(np.asarray(kernel.diag(np.zeros((1, train.shape[1]))), dtype=np.float64)[0])
    var = ctx.materialize([sub(lit(diag), total([Arith("*", e, e) for e in v]))], "gpvar")[0]
    positive = ctx.materialize([Case(((Compare(">", var, lit(0.0)), var),), None)], "gpvp")[0]
    alpha = ctx.materialize([div(lit(1.0), mul(lit(2.0), positive))], "gpa")[0]
    denom = mul(lit(2.0), Func("sqrt", (mul(positive, lit(2.0 * math.pi)),)))
    integrals = []
    for lam in np.asarray(LAMBDAS, dtype=np.float64).ravel():
        gamma = mul(lit(float(lam)), mean)
        inner = mul(gamma, Func("sqrt", (div(alpha, add(alpha, lit(float(lam) ** 2))),)))
        integrals.append(div(mul(Func("sqrt", (div(lit(math.pi), alpha),)), _erf(inner, ctx)), denom))
    coefs = np.asarray(COEFS, dtype=np.float64).ravel()
    pi_star = ctx.materialize(
        [add(total([mul(lit(float(c)), e) for c, e in zip(coefs, integrals, strict=True)]), lit(float(0.5 * coefs.sum())))], "gpp"
    )[0]
    classes = list(est.classes_)
    labels = [label_literal(c) for c in classes]
    label = Case(((Compare(">", mean, lit(0.0)), labels[1]), (Compare("<=", mean, lit(0.0)), labels[0])), None)
    return Prediction("classifier", label, tuple(classes), (sub(lit(1.0), pi_star), pi_star))


@register(GaussianProcessClassifier)
def assemble_gaussian_process_classifier(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """Two classes: the binary Laplace model; more: sklearn's ``base_estimator_`` (one-vs-rest
    over binary ones, whose probabilities it normalises; one-vs-one gives labels only)."""
    p = predict(est.base_estimator_, features, ctx)
    if len(est.classes_) > 2 and est.multi_class == "one_vs_one":
        return Prediction("classifier", p.value, p.classes)  # sklearn offers no probabilities there
    return p
