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

from ...ir import lit, mul, total
from ..context import Context
from ..interface import Feature, Prediction, several
from ..registry import register
from ..shared.kernels import pairwise_kernel_values
from ..shared.prep_common import dense

__all__ = ["assemble_kernel_ridge"]


@register(KernelRidge)
def assemble_kernel_ridge(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    coef = np.asarray(est.dual_coef_, dtype=np.float64)
    fit = dense(est.X_fit_)
    # as KernelRidge._get_kernel: for a named kernel only gamma, degree and coef0 reach it
    values = pairwise_kernel_values(est, features, ctx, fit, {"gamma": est.gamma, "degree": est.degree, "coef0": est.coef0})
    columns = coef.reshape(len(fit), -1).T  # one row of weights per target
    targets = tuple(
        Prediction("regressor", total([mul(k, lit(float(c))) for k, c in zip(values, w, strict=True)])) for w in columns
    )
    return several(targets)
