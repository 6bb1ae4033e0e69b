"""KernelRidge: ``predict(X) = K(X, X_fit_) @ dual_coef_``.

sklearn computes the kernel with ``pairwise_kernels`` (``gamma=None`` means ``1 / n_features``
for rbf, laplacian, polynomial and sigmoid); the SQL writes each kernel in its direct form
(:mod:`.kernels`), ``(gamma * <x, v> + coef0) ** degree`` with ``POWER`` as NumPy's ``**``. Where
sklearn's rbf goes through ``||x||^2 - 2 <x, v> + ||v||^2`` the direct ``sum((x - v)^2)`` is the
more accurate of the two; they agree within the parity tolerance. Every training row is a term:
the SQL grows with training rows x features.

A multi-target model (2-D ``dual_coef_``) gives one prediction per target from the same kernel
values. Refused: callable kernels and the kernels not listed
(``cosine``, ``chi2``, ``additive_chi2``). A NULL feature gives a NULL prediction (sklearn
refuses NaN).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.kernel_ridge import KernelRidge

from ..errors import UnsupportedEstimatorError
from ..ir import lit, mul, total
from ..program import Context, Feature, Prediction
from .kernels import kernel_values
from .prep_common import dense, fitted_inputs
from .registry import register

__all__ = ["assemble_kernel_ridge"]

_NAMES = {"linear": "linear", "rbf": "rbf", "laplacian": "laplacian", "poly": "poly", "polynomial": "poly", "sigmoid": "sigmoid"}


@register(KernelRidge)
def assemble_kernel_ridge(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    kernel = est.kernel
    if callable(kernel) or kernel not in _NAMES:
        raise UnsupportedEstimatorError(
            f"KernelRidge with kernel={kernel!r} is not supported: {', '.join(sorted(_NAMES))} are"
        )
    coef = np.asarray(est.dual_coef_, dtype=np.float64)
    fit = dense(est.X_fit_)
    name = _NAMES[kernel]
    params = dict(est.kernel_params or {})
    gamma = est.gamma if est.gamma is not None else params.get("gamma", 1.0 / fit.shape[1])
    xs = fitted_inputs(est, features, ctx, fit.shape[1])
    values = kernel_values(
        xs, fit, name, ctx, gamma=float(gamma), coef0=float(est.coef0), degree=float(est.degree), power="pow"
    )
    columns = coef.reshape(len(fit), -1).T  # one row of weights per target
    targets = tuple(
        Prediction("regressor", total([mul(k, lit(float(c))) for k, c in zip(values, w, strict=True)])) for w in columns
    )
    return targets[0] if len(targets) == 1 else Prediction("multioutput", targets[0].value, targets=targets)
