"""GaussianNB: a joint log-likelihood per class, then the normalised probabilities.

sklearn: ``jll_k = log(prior_k) + (-0.5 * sum_j log(2 pi var_kj) - 0.5 * sum_j (x_j - theta_kj)^2
/ var_kj)``; ``predict`` is the first class with the largest ``jll``; ``predict_proba`` is
``exp(jll - logsumexp(jll))`` with ``logsumexp = max + log(sum(exp(jll - max)))``. The SQL writes
the same steps (the constants per class computed by NumPy as sklearn computes them); the sums over
features are left to right where NumPy sums pairwise, a few ulps apart. A NULL feature gives NULL
outputs (sklearn refuses NaN).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.naive_bayes import GaussianNB

from ..ir import Arith, Expr, Func, argmax, div, greatest, lit, mul, safe_exp, sub, total
from ..program import Context, Feature, Prediction, label_literal
from .registry import register

__all__ = ["assemble_gaussian_nb"]


@register(GaussianNB)
def assemble_gaussian_nb(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    theta = np.asarray(est.theta_, dtype=np.float64)
    var = np.asarray(est.var_, dtype=np.float64)
    prior = np.asarray(est.class_prior_, dtype=np.float64)
    xs = ctx.materialize([ctx.number(f.expr) for f in features], "x")
    jll: list[Expr] = []
    for k in range(len(prior)):
        const = -0.5 * np.sum(np.log(2.0 * np.pi * var[k, :]))
        terms: list[Expr] = []
        for j, x in enumerate(xs):
            d = sub(x, lit(float(theta[k, j])))
            terms.append(div(Arith("*", d, d), lit(float(var[k, j]))))
        n_k = sub(lit(float(const)), mul(lit(0.5), total(terms)))
        jll.append(Arith("+", lit(float(np.log(prior[k]))), n_k))
    jll = ctx.materialize(jll, "jll")
    classes = list(est.classes_)
    labels = [label_literal(c) for c in classes]
    top = ctx.materialize([greatest(jll)], "jmax")[0]
    lse = ctx.materialize([Arith("+", top, Func("ln", (total([safe_exp(sub(j, top)) for j in jll]),)))], "lse")[0]
    proba = ctx.materialize([safe_exp(sub(j, lse)) for j in jll], "nb")
    return Prediction("classifier", argmax(jll, labels), tuple(classes), tuple(proba))
