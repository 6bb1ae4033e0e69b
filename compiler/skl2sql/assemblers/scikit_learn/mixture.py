"""GaussianMixture and BayesianGaussianMixture: component, responsibilities, log-likelihood.

sklearn scores a row by its weighted log probability per component, ``wlp_k = log N(x; mu_k,
Sigma_k) + log w_k`` (``_estimate_weighted_log_prob``): ``predict`` is the first component with
the largest ``wlp_k``; ``predict_proba`` is ``exp(wlp_k - logsumexp(wlp))``; ``score_samples``
is ``logsumexp(wlp)``. The Gaussian part follows ``_estimate_log_gaussian_prob`` formula by
formula, because the forms are not numerically interchangeable:

- ``full`` / ``tied``: ``y = x @ P_k - mu_k @ P_k`` (``P_k`` the precision Cholesky factor),
  ``q_k = sum(y ** 2)``;
- ``diag``: ``q_k = sum(mu_k^2 p_k) - 2 * x @ (mu_k p_k) + x^2 @ p_k`` with ``p_k = P_k ** 2``;
- ``spherical``: ``q_k = sum(mu_k^2) p_k - 2 * (x @ mu_k) p_k + |x|^2 p_k``;

then ``-0.5 * (d * log(2 pi) + q_k) + log_det_k``. The constants (the ``mu_k @ P_k`` products,
log-determinants, log weights, and the Bayesian model's digamma terms and degrees of freedom) are
computed by NumPy as sklearn computes them. Dot products are summed left to right where BLAS may
group them otherwise, and ``logsumexp`` is ``max + ln(sum(exp(wlp - max)))`` (sklearn's variant
takes the maxima out before ``log1p``): outputs agree within a few ulps; a row whose two best
components are that close could be labelled differently. A NULL feature gives NULL outputs
(sklearn refuses NaN).

Outputs: ``prediction`` (the component index), ``probability_<k>`` per component, then
``score_samples``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.mixture import BayesianGaussianMixture, GaussianMixture

from ...errors import UnsupportedEstimatorError
from ...ir import Arith, Expr, Func, add, greatest, lit, mul, safe_exp, sub, total
from ..context import Context
from ..interface import Feature, Prediction
from ..registry import register
from ..shared.prep_common import dot, fitted_inputs, wide_argmax

__all__ = ["assemble_mixture"]


def _quadratic(est: Any, xs: list[Expr], ctx: Context) -> list[Expr]:
    """``q_k`` per component, as ``_estimate_log_gaussian_prob`` computes it."""
    means = np.asarray(est.means_, dtype=np.float64)
    chol = np.asarray(est.precisions_cholesky_, dtype=np.float64)
    kind = est.covariance_type
    if kind in ("full", "tied"):
        out = []
        for k, mu in enumerate(means):
            p = chol[k] if kind == "full" else chol
            shift = mu @ p
            y = ctx.materialize([sub(dot(xs, p[:, j]), lit(float(shift[j]))) for j in range(p.shape[1])], "gy")
            out.append(total([Arith("*", v, v) for v in y]))
        return out
    squares = ctx.materialize([Arith("*", x, x) for x in xs], "gsq")
    precisions = chol**2
    if kind == "diag":
        first = np.sum(means**2 * precisions, axis=1)
        cross = means * precisions
        return [
            add(sub(lit(float(first[k])), mul(lit(2.0), dot(xs, cross[k]))), dot(squares, precisions[k]))
            for k in range(len(means))
        ]
    if kind == "spherical":
        norms = np.sum(means**2, axis=1)
        row_norm = ctx.materialize([total(squares)], "gnorm")[0]
        return [
            add(
                sub(lit(float(norms[k] * precisions[k])), mul(lit(2.0), mul(dot(xs, means[k]), lit(float(precisions[k]))))),
                mul(row_norm, lit(float(precisions[k]))),
            )
            for k in range(len(means))
        ]
    raise UnsupportedEstimatorError(f"{type(est).__name__} with covariance_type={kind!r} is not supported")


def _offsets(est: Any, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """Per component: the log-determinant added after ``-0.5 * (...)`` and the log weight added
    last (``_estimate_weighted_log_prob``); the Bayesian model's own terms come in between."""
    from sklearn.mixture._gaussian_mixture import _compute_log_det_cholesky

    log_det = np.broadcast_to(
        np.asarray(_compute_log_det_cholesky(est.precisions_cholesky_, est.covariance_type, n_features), dtype=np.float64),
        (len(est.means_),),
    )
    return log_det, np.asarray(est._estimate_log_weights(), dtype=np.float64)


@register(GaussianMixture, BayesianGaussianMixture)
def assemble_mixture(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    means = np.asarray(est.means_)
    if means.dtype != np.float64:
        raise UnsupportedEstimatorError(
            f"{type(est).__name__} fitted on {means.dtype} data predicts in {means.dtype}; refit it on float64 data"
        )
    d = means.shape[1]
    xs = fitted_inputs(est, features, ctx, d)
    quad = ctx.materialize(_quadratic(est, xs, ctx), "gq")
    log_det, log_weights = _offsets(est, d)
    const = d * math.log(2 * math.pi)
    bayes = isinstance(est, BayesianGaussianMixture)
    if bayes:
        dof = np.broadcast_to(np.asarray(est.degrees_of_freedom_, dtype=np.float64), (len(quad),))
        term = np.broadcast_to(_bayes_term(est, d), (len(quad),))
    scores: list[Expr] = []
    for k, q in enumerate(quad):
        s: Expr = Arith("+", mul(lit(-0.5), Arith("+", lit(const), q)), lit(float(log_det[k])))
        if bayes:
            # log_gauss - 0.5 d log(dof_k), then + 0.5 (log_lambda_k - d / mean_precision_k)
            s = Arith("+", Arith("-", s, lit(float(0.5 * d * np.log(dof[k])))), lit(float(term[k])))
        scores.append(Arith("+", s, lit(float(log_weights[k]))))
    scores = ctx.materialize(scores, "gwlp")
    top = ctx.materialize([greatest(scores)], "gmax")[0]
    shifted = ctx.materialize([sub(s, top) for s in scores], "gsh")
    log_sum = ctx.materialize([Func("ln", (total([safe_exp(s) for s in shifted]),))], "glse")[0]
    proba = tuple(safe_exp(sub(s, log_sum)) for s in shifted)
    components = tuple(range(len(scores)))
    label = wide_argmax(scores, [lit(k) for k in components], ctx)
    return Prediction("cluster", label, components, proba, extra=(("score_samples", add(log_sum, top)),))


def _bayes_term(est: Any, d: int) -> np.ndarray:
    """``0.5 * (log_lambda - d / mean_precision_)`` of ``BayesianGaussianMixture._estimate_log_prob``."""
    from scipy.special import digamma

    dof = np.asarray(est.degrees_of_freedom_, dtype=np.float64)
    log_lambda = d * np.log(2.0) + np.sum(digamma(0.5 * (dof - np.arange(0, d)[:, np.newaxis])), 0)
    return np.asarray(0.5 * (log_lambda - d / est.mean_precision_), dtype=np.float64)
