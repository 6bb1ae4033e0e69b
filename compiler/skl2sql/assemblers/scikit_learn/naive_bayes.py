"""Naive Bayes: a joint log-likelihood per class, then the normalised probabilities.

Every variant computes ``jll`` its own way (below), then, as sklearn's ``_BaseNB``: ``predict`` is
the first class with the largest ``jll``; ``predict_proba`` is ``exp(jll - logsumexp(jll))`` with
``logsumexp = max + log(sum(exp(jll - max)))``. The constants per class are computed by NumPy as
sklearn computes them; sums over features run left to right where NumPy's BLAS may group them
otherwise, a few ulps apart. A NULL feature gives NULL outputs (sklearn refuses NaN).

- GaussianNB: ``jll_k = log(prior_k) + (-0.5 * sum_j log(2 pi var_kj) - 0.5 * sum_j (x_j -
  theta_kj)^2 / var_kj)``.
- MultinomialNB: ``x @ feature_log_prob_.T + class_log_prior_`` (sklearn checks ``x >= 0`` only
  when fitting, so a negative value is scored, as sklearn scores it).
- ComplementNB: ``x @ feature_log_prob_.T`` (plus ``class_log_prior_`` with one class).
- BernoulliNB: ``x`` binarized (``x > binarize``: 1, else 0; as it is with ``binarize=None``),
  then ``x @ (flp - neg).T + (class_log_prior_ + sum(neg))`` with ``neg = log(1 - exp(flp))``.
- CategoricalNB: per feature the log probability of the row's category (the column read as an
  integer code as sklearn reads it, truncating: ``1.5`` is ``1``), summed in feature order, plus
  ``class_log_prior_``. A code sklearn refuses (negative, or beyond the fitted categories) gives
  NULL outputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.naive_bayes import BernoulliNB, CategoricalNB, ComplementNB, GaussianNB, MultinomialNB

from ...ir import And, Arith, Case, Compare, Expr, Func, div, greatest, lit, mul, safe_exp, sub, total
from ..context import Context
from ..interface import Feature, Prediction, label_literal
from ..registry import register
from ..shared.prep_common import fitted_inputs, wide_argmax

__all__ = ["assemble_gaussian_nb", "assemble_discrete_nb", "assemble_categorical_nb"]


def _from_jll(jll: Sequence[Expr], est: Any, ctx: Context) -> Prediction:
    jll = ctx.materialize(list(jll), "jll")
    classes = list(est.classes_)
    labels = [label_literal(c) for c in classes]
    top = ctx.materialize([greatest(jll)], "jmax")[0]
    lse = ctx.materialize([Arith("+", top, Func("ln", (total([safe_exp(sub(j, top)) for j in jll]),)))], "lse")[0]
    proba = ctx.materialize([safe_exp(sub(j, lse)) for j in jll], "nb")
    return Prediction("classifier", wide_argmax(jll, labels, ctx), tuple(classes), tuple(proba))


@register(GaussianNB)
def assemble_gaussian_nb(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    theta = np.asarray(est.theta_, dtype=np.float64)
    var = np.asarray(est.var_, dtype=np.float64)
    prior = np.asarray(est.class_prior_, dtype=np.float64)
    xs = fitted_inputs(est, features, ctx, theta.shape[1])
    jll: list[Expr] = []
    for k in range(len(prior)):
        const = -0.5 * np.sum(np.log(2.0 * np.pi * var[k, :]))
        terms: list[Expr] = []
        for j, x in enumerate(xs):
            d = sub(x, lit(float(theta[k, j])))
            terms.append(div(Arith("*", d, d), lit(float(var[k, j]))))
        n_k = sub(lit(float(const)), mul(lit(0.5), total(terms)))
        jll.append(Arith("+", lit(float(np.log(prior[k]))), n_k))
    return _from_jll(jll, est, ctx)


def _dot(xs: Sequence[Expr], weights: np.ndarray) -> list[Expr]:
    return [mul(x, lit(float(w))) for x, w in zip(xs, weights, strict=True)]


@register(MultinomialNB, ComplementNB, BernoulliNB)
def assemble_discrete_nb(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    flp = np.asarray(est.feature_log_prob_, dtype=np.float64)
    prior = np.asarray(est.class_log_prior_, dtype=np.float64)
    xs = fitted_inputs(est, features, ctx, flp.shape[1])
    if isinstance(est, BernoulliNB):
        if est.binarize is not None:
            t = lit(float(est.binarize))
            xs = ctx.materialize(
                [Case(((Compare(">", x, t), lit(1.0)), (Compare("<=", x, t), lit(0.0))), None) for x in xs], "bin"
            )
        neg = np.log(1 - np.exp(flp))
        const = prior + neg.sum(axis=1)
        jll = [total([*_dot(xs, flp[k] - neg[k]), lit(float(const[k]))]) for k in range(len(flp))]
    elif isinstance(est, ComplementNB) and len(prior) != 1:
        jll = [total(_dot(xs, flp[k])) for k in range(len(flp))]
    else:
        jll = [total([*_dot(xs, flp[k]), lit(float(prior[k]))]) for k in range(len(flp))]
    return _from_jll(jll, est, ctx)


def _category_is(x: Expr, c: int) -> Expr:
    """sklearn reads the column as ``int`` (truncation): code ``c`` is ``c <= x < c + 1``."""
    return And((Compare(">=", x, lit(float(c))), Compare("<", x, lit(float(c + 1)))))


@register(CategoricalNB)
def assemble_categorical_nb(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    tables = [np.asarray(t, dtype=np.float64) for t in est.feature_log_prob_]  # per feature: (classes, categories)
    prior = np.asarray(est.class_log_prior_, dtype=np.float64)
    xs = fitted_inputs(est, features, ctx, len(tables))
    jll: list[Expr] = []
    for k in range(len(prior)):
        terms: list[Expr] = [
            Case(tuple((_category_is(x, c), lit(float(v))) for c, v in enumerate(table[k])), None)
            for x, table in zip(xs, tables, strict=True)
        ]
        jll.append(total([*terms, lit(float(prior[k]))]))
    return _from_jll(jll, est, ctx)
