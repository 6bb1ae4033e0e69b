"""Kernel SVMs: SVC, NuSVC, SVR, NuSVR and OneClassSVM, as libsvm predicts them.

libsvm (``svm_predict_values``, sklearn's bundled copy) computes one kernel value per support
vector, ``K_i = k(x, sv_i)``, then

- regression and one-class: ``sum_i coef_i * K_i - rho``, summed from 0 in support-vector order;
  SVR's prediction, OneClassSVM's ``decision_function`` (its label is ``1`` where that is
  positive, else ``-1``; ``score_samples`` adds ``offset_`` back);
- classification: per pair of classes ``i < j`` (libsvm's order: sklearn's ``classes_``), the
  coefficients ``dual_coef[j-1]`` over class ``i``'s support vectors, then ``dual_coef[i]`` over
  class ``j``'s, in one running sum, minus that pair's ``rho``. ``predict`` counts votes (``dec > 0``
  for ``i``, else ``j``) and takes the first class with the most. Two classes: sklearn's
  ``decision_function`` is ``-dec``. More classes: ``decision_function_shape='ovr'`` (the default)
  is ``_ovr_decision_function``: votes (``dec >= 0`` for ``i``) plus the summed confidences scaled
  into (-1/3, 1/3); ``break_ties=True`` labels by its first largest value instead of by votes.

Kernels as libsvm writes them: ``linear`` ``<x, sv>``; ``rbf`` ``exp(-gamma * sum((x - sv)^2))``;
``poly`` ``powi(gamma * <x, sv> + coef0, degree)`` (repeated squaring, reproduced multiplication
for multiplication); ``sigmoid`` ``tanh(gamma * <x, sv> + coef0)``. The dot products are summed
left to right where sklearn's BLAS may group them otherwise: a few ulps apart. Zero entries of a
support vector are left out of linear, poly and sigmoid dot products (exact: the input is finite).

Refused: ``probability=True`` (libsvm's pairwise coupling is an iterative solver that stops at a
tolerance, even for two classes; sklearn 1.9 deprecates it in favour of
``CalibratedClassifierCV(SVC(), ensemble=False)``, which compiles), callable and precomputed
kernels, ``decision_function_shape='ovo'`` with more than two classes (one column per pair has no
place in the output contract). A NULL feature gives NULL outputs (sklearn refuses NaN).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.svm import SVC, SVR, NuSVC, NuSVR, OneClassSVM

from ...errors import UnsupportedEstimatorError
from ...ir import Arith, Case, Compare, Expr, lit, mul, sub, total
from ..context import Context
from ..interface import Feature, Prediction, label_literal
from ..registry import register
from ..shared.kernels import kernel_values
from ..shared.prep_common import dense, fitted_inputs, wide_argmax
from .one_vs_one import count_wins, ovr_decision_function, pairs

__all__ = ["assemble_svc", "assemble_svr", "assemble_one_class_svm"]


def _kernel_values(est: Any, features: list[Feature], ctx: Context) -> list[Expr]:
    """One expression per support vector: ``k(x, sv_i)``, computed once in a stage."""
    kernel = est.kernel
    if callable(kernel) or kernel not in ("linear", "poly", "rbf", "sigmoid"):
        raise UnsupportedEstimatorError(
            f"{type(est).__name__} with kernel={kernel!r} is not supported: linear, poly, rbf and sigmoid are"
        )
    sv = dense(est.support_vectors_)
    xs = fitted_inputs(est, features, ctx, sv.shape[1])
    return kernel_values(
        xs, sv, kernel, ctx, gamma=float(est._gamma), coef0=float(est.coef0), degree=int(est.degree), power="powi"
    )


def _weighted_sum(kernel: list[Expr], coef: np.ndarray, rho: float) -> Expr:
    """``sum_i coef_i * K_i - rho`` as libsvm adds it (from 0, in order)."""
    return sub(total([mul(lit(float(c)), k) for c, k in zip(coef, kernel, strict=True)]), lit(rho))


@register(SVR, NuSVR)
def assemble_svr(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    kernel = _kernel_values(est, features, ctx)
    return Prediction("regressor", _weighted_sum(kernel, np.asarray(est._dual_coef_)[0], -float(est._intercept_[0])))


@register(OneClassSVM)
def assemble_one_class_svm(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    kernel = _kernel_values(est, features, ctx)
    dec = ctx.materialize([_weighted_sum(kernel, np.asarray(est._dual_coef_)[0], -float(est._intercept_[0]))], "dec")[0]
    label = Case(((Compare(">", dec, lit(0.0)), lit(1)), (Compare("<=", dec, lit(0.0)), lit(-1))), None)
    score = Arith("+", dec, lit(float(np.asarray(est.offset_).reshape(-1)[0])))
    return Prediction("outlier", label, decision=(dec,), extra=(("score_samples", score),))


def _pair_decisions(est: Any, kernel: list[Expr], ctx: Context) -> list[Expr]:
    """libsvm's ``dec`` for every pair ``i < j`` of classes, in libsvm's order."""
    coef = np.asarray(est._dual_coef_, dtype=np.float64)
    rho = -np.asarray(est._intercept_, dtype=np.float64)
    n_support = [int(n) for n in est.n_support_]
    start = np.concatenate([[0], np.cumsum(n_support)]).astype(int)
    decs: list[Expr] = []
    for p, (i, j) in enumerate(pairs(len(n_support))):
        terms = [mul(lit(float(coef[j - 1, s])), kernel[s]) for s in range(start[i], start[i + 1])]
        terms += [mul(lit(float(coef[i, s])), kernel[s]) for s in range(start[j], start[j + 1])]
        decs.append(sub(total(terms), lit(float(rho[p]))))
    return ctx.materialize(decs, "dec")


def _outcomes(decs: list[Expr], on_zero: int) -> list[tuple[Expr, Expr]]:
    """(class ``i`` wins, class ``j`` wins) per pair: ``dec > 0`` for ``i``, ``dec < 0`` for
    ``j``, and at ``dec == 0`` the pair's ``on_zero``-th class (libsvm's vote: ``j``, 1; sklearn's
    ``_ovr_decision_function(dec < 0, ...)``: ``i``, 0)."""
    zero = lit(0.0)
    if on_zero == 0:
        return [(Compare(">=", d, zero), Compare("<", d, zero)) for d in decs]
    return [(Compare(">", d, zero), Compare("<=", d, zero)) for d in decs]


@register(SVC, NuSVC)
def assemble_svc(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    if getattr(est, "probability", False) is True:  # sklearn 1.9 defaults to the string "deprecated"
        raise UnsupportedEstimatorError(
            f"{type(est).__name__}(probability=True) is not supported: libsvm's probabilities come from an "
            "iterative solver that stops at a tolerance (sklearn 1.9 deprecates the option); use "
            f"CalibratedClassifierCV({type(est).__name__}(), ensemble=False), which compiles exactly"
        )
    classes = list(est.classes_)
    k = len(classes)
    if k > 2 and est.decision_function_shape != "ovr":
        raise UnsupportedEstimatorError(
            f"{type(est).__name__}(decision_function_shape={est.decision_function_shape!r}) with {k} classes is not "
            "supported: one decision column per pair of classes has no place in the outputs; use 'ovr' (the default)"
        )
    labels = [label_literal(c) for c in classes]
    kernel = _kernel_values(est, features, ctx)
    decs = _pair_decisions(est, kernel, ctx)
    if k == 2:
        d = decs[0]
        label: Expr = Case(((Compare(">", d, lit(0.0)), labels[0]), (Compare("<=", d, lit(0.0)), labels[1])), None)
        return Prediction("classifier", label, tuple(classes), decision=(mul(lit(-1.0), d),))
    # sklearn: _ovr_decision_function(dec < 0, -dec, k): c_i -= -dec, c_j += -dec
    ovr = ovr_decision_function(_outcomes(decs, on_zero=0), [(d, mul(lit(-1.0), d)) for d in decs], k, ctx)
    # libsvm's predict: the first class with the most votes (``break_ties``: the largest ovr value)
    label = wide_argmax(ovr if est.break_ties else ctx.materialize(count_wins(_outcomes(decs, on_zero=1), k), "votes"), labels, ctx)
    return Prediction("classifier", label, tuple(classes), decision=tuple(ovr))
