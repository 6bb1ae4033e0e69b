"""Kernel approximations and kernel PCA as pipeline steps: Nystroem, RBFSampler,
SkewedChi2Sampler, KernelPCA.

- ``Nystroem.transform`` is ``K(x, components_) @ normalization_.T`` with sklearn's
  ``pairwise_kernels`` and the parameter defaults of its kernel functions (``gamma=None``:
  ``1 / n_features``; ``coef0=None``: 1 for ``poly`` and ``sigmoid``; ``degree=None``: 3). The
  kernels are written as :mod:`.kernels` writes them for KernelRidge (``pow`` for the
  polynomial, the direct ``sum((x - v)^2)`` for rbf, which agrees with sklearn's
  ``||x||^2 - 2 <x, v> + ||v||^2`` within the parity tolerance).
- ``RBFSampler.transform`` is ``cos(x @ random_weights_ + random_offset_) * sqrt(2 /
  n_components)``; ``SkewedChi2Sampler`` first takes ``log(x + skewedness)`` and refuses a row
  with any ``x <= -skewedness`` (NULL outputs, where sklearn raises).
- ``AdditiveChi2Sampler.transform`` (dense): per feature ``sqrt(x * L)``, then for each step
  ``j`` ``sqrt(2 x L / cosh(pi j L)) * cos(j * L * ln x)`` and the same with ``sin``, zero where
  ``x`` is 0 (``L`` the sample interval), in sklearn's column order (every feature's first
  component, then each step's cosines, then its sines); a negative value refuses the row, as
  sklearn raises.
- ``KernelPCA.transform``: ``K = pairwise_kernels(x, X_fit_)`` centred as ``KernelCenterer``
  does (``K - K_fit_rows_ - mean(K) + K_fit_all_``), then ``K @ (eigenvectors_ /
  sqrt(eigenvalues_))`` over the non-zero eigenvalues (zero columns elsewhere). Every training row
  is a kernel value: the SQL grows with training rows x (features + components).

The projections are summed left to right where BLAS may block them otherwise; ``cos`` of an
argument with a rounding difference ``d`` moves by at most ``d``. A NULL input gives NULL
outputs (sklearn refuses NaN). Refused: callable and precomputed kernels, and ``chi2``,
``additive_chi2`` and ``cosine``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.decomposition import KernelPCA
from sklearn.kernel_approximation import AdditiveChi2Sampler, Nystroem, RBFSampler, SkewedChi2Sampler

from ...errors import UnsupportedEstimatorError
from ...ir import And, Compare, Expr, Func, add, case, div, lit, mul, sub, total
from ..context import Context
from ..interface import Feature
from ..registry import register
from ..shared.kernels import pairwise_kernel_values
from ..shared.prep_common import dense, fitted_inputs, guard_row

__all__ = ["assemble_nystroem", "assemble_random_fourier", "assemble_kernel_pca", "assemble_additive_chi2"]

#: AdditiveChi2Sampler's ``sample_interval`` for ``sample_steps`` 1, 2 and 3 when none is given.
_CHI2_INTERVALS = {1: 0.8, 2: 0.5, 3: 0.4}

def _names(est: Any, n: int) -> list[str]:
    return [str(s) for s in est.get_feature_names_out()][:n]


@register(KernelPCA)
def assemble_kernel_pca(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    fit = dense(est.X_fit_)
    values = pairwise_kernel_values(est, features, ctx, fit, {"gamma": est.gamma_, "degree": est.degree, "coef0": est.coef0})
    centerer = est._centerer
    n = len(fit)
    row_mean = ctx.materialize([div(total(values), lit(float(n)))], "kmean")[0]
    all_mean = float(centerer.K_fit_all_)
    centred = ctx.materialize(
        [add(sub(sub(k, lit(float(c))), row_mean), lit(all_mean)) for k, c in zip(values, centerer.K_fit_rows_, strict=True)], "kc"
    )
    vectors = np.asarray(est.eigenvectors_, dtype=np.float64)
    eigen = np.asarray(est.eigenvalues_, dtype=np.float64)
    scaled = np.zeros_like(vectors)
    nonzero = np.flatnonzero(eigen)
    scaled[:, nonzero] = vectors[:, nonzero] / np.sqrt(eigen[nonzero])
    out = [total([mul(k, lit(float(w))) for k, w in zip(centred, scaled[:, j], strict=True)]) for j in range(scaled.shape[1])]
    return [Feature(e, name) for e, name in zip(out, _names(est, len(out)), strict=True)]


@register(Nystroem)
def assemble_nystroem(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    components = dense(est.components_)
    values = pairwise_kernel_values(est, features, ctx, components, est._get_kernel_params())
    normalization = np.asarray(est.normalization_, dtype=np.float64)
    out = [total([mul(k, lit(float(w))) for k, w in zip(values, row, strict=True)]) for row in normalization]
    return [Feature(e, n) for e, n in zip(out, _names(est, len(out)), strict=True)]


@register(RBFSampler, SkewedChi2Sampler)
def assemble_random_fourier(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    weights = dense(est.random_weights_)
    offset = np.asarray(est.random_offset_, dtype=np.float64)
    xs = fitted_inputs(est, features, ctx, weights.shape[0])
    if isinstance(est, SkewedChi2Sampler):
        skew = float(est.skewedness)
        # NULL (not an error in engines that raise on ln of a non-positive) where sklearn refuses
        xs = ctx.materialize(
            [Func("ln", (case([(Compare(">", x, lit(-skew)), add(x, lit(skew)))], None),)) for x in xs], "logx"
        )
        scale = float(np.sqrt(2.0) / np.sqrt(est.n_components))
    else:
        scale = float((2.0 / est.n_components) ** 0.5)
    projections: list[Expr] = [
        add(total([mul(x, lit(float(w))) for x, w in zip(xs, col, strict=True)]), lit(float(b)))
        for col, b in zip(weights.T, offset, strict=True)
    ]
    out = [mul(Func("cos", (p,)), lit(scale)) for p in projections]
    return [Feature(e, n) for e, n in zip(out, _names(est, len(out)), strict=True)]


@register(AdditiveChi2Sampler)
def assemble_additive_chi2(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    steps = int(est.sample_steps)
    interval = float(est.sample_interval) if est.sample_interval is not None else _CHI2_INTERVALS.get(steps)
    if interval is None:
        raise UnsupportedEstimatorError(f"AdditiveChi2Sampler(sample_steps={steps}) needs a sample_interval")
    xs = fitted_inputs(est, features, ctx, int(est.n_features_in_))
    positive = [case([(Compare(">", x, lit(0.0)), x)], None) for x in xs]

    def nonzero(x: Expr, value: Expr) -> Expr:
        return case([(Compare("=", x, lit(0.0)), lit(0.0))], value)

    out: list[Expr] = [nonzero(x, Func("sqrt", (mul(p, lit(interval)),))) for x, p in zip(xs, positive, strict=True)]
    logs = ctx.materialize([mul(lit(interval), Func("ln", (p,))) for p in positive], "chi_log")
    factors_base = [mul(mul(lit(2.0), p), lit(interval)) for p in positive]
    for j in range(1, steps):
        cosh_j = float(np.cosh(np.pi * j * interval))
        factors = ctx.materialize([Func("sqrt", (div(f, lit(cosh_j)),)) for f in factors_base], "chi_f")
        for trig in ("cos", "sin"):
            out.extend(
                nonzero(x, mul(f, Func(trig, (mul(lit(float(j)), g),))))
                for x, f, g in zip(xs, factors, logs, strict=True)
            )
    non_negative = And(tuple(Compare(">=", x, lit(0.0)) for x in xs)) if len(xs) > 1 else Compare(">=", xs[0], lit(0.0))
    guarded = guard_row(xs, out, ctx, non_negative)
    return [Feature(e, n) for e, n in zip(guarded, _names(est, len(guarded)), strict=True)]
