"""MLPClassifier and MLPRegressor: the forward pass, layer by layer; BernoulliRBM as a pipeline
step.

sklearn (``_forward_pass_fast``): each layer is ``activation @ coefs_[i] + intercepts_[i]``,
then the hidden activation (``relu``: ``max(x, 0)``, ``tanh``, ``logistic``: expit, ``identity``)
on hidden layers and the output activation on the last (``identity`` for regression,
``logistic`` for two classes, ``softmax``). ``predict_proba`` of two classes is ``[1 - p, p]``
and ``predict`` its ``p > 0.5``; more classes take the first largest probability. Each layer is
one stage (its units are read by every unit of the next layer).

Agreement: dot products are summed left to right where NumPy's BLAS blocks them, and ``tanh`` is
``sign(x) * (1 - e) / (1 + e)`` with ``e = exp(-2|x|)``: a few ulps, within the parity
tolerance. A NULL input gives NULL outputs (sklearn refuses NaN).

BernoulliRBM's ``transform`` is the hidden layer's mean, ``expit(x @ components_.T +
intercept_hidden_)``: one layer of the same kind with the logistic activation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.neural_network import BernoulliRBM, MLPClassifier, MLPRegressor

from ...errors import UnsupportedEstimatorError
from ...ir import Case, Compare, Expr, lit, mul, sigmoid, softmax, sub, tanh, total
from ..context import Context
from ..interface import Feature, Prediction, label_literal, several
from ..registry import register
from ..shared.prep_common import wide_argmax

__all__ = ["assemble_mlp", "assemble_rbm"]


def _activate(name: str, x: Expr) -> Expr:
    if name == "identity":
        return x
    if name == "relu":  # NULL stays NULL
        return Case(((Compare(">", x, lit(0.0)), x), (Compare("<=", x, lit(0.0)), lit(0.0))), None)
    if name == "logistic":
        return sigmoid(x)
    if name == "tanh":
        return tanh(x)
    raise UnsupportedEstimatorError(f"MLP activation {name!r} is not supported")


def _layer(inputs: Sequence[Expr], coef: np.ndarray, intercept: np.ndarray) -> list[Expr]:
    return [
        total([*(mul(a, lit(float(w))) for a, w in zip(inputs, coef[:, j], strict=True)), lit(float(intercept[j]))])
        for j in range(coef.shape[1])
    ]


def _forward(est: Any, features: list[Feature], ctx: Context) -> list[Expr]:
    """The last layer's values before the output activation."""
    values: list[Expr] = ctx.materialize([ctx.number(f.expr) for f in features], "x")
    last = len(est.coefs_) - 1
    for i, (coef, intercept) in enumerate(zip(est.coefs_, est.intercepts_, strict=True)):
        z = _layer(values, np.asarray(coef, dtype=np.float64), np.asarray(intercept, dtype=np.float64))
        values = ctx.materialize(z if i == last else [_activate(str(est.activation), v) for v in z], f"h{i}")
    return values


@register(BernoulliRBM)
def assemble_rbm(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    xs = ctx.materialize([ctx.number(f.expr) for f in features], "x")
    ctx.refuse_missing(xs)
    z = _layer(xs, np.asarray(est.components_, dtype=np.float64).T, np.asarray(est.intercept_hidden_, dtype=np.float64))
    names = [str(n) for n in est.get_feature_names_out()]
    return [Feature(sigmoid(v), n) for v, n in zip(z, names, strict=True)]


@register(MLPClassifier, MLPRegressor)
def assemble_mlp(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    out = _forward(est, features, ctx)
    kind = str(est.out_activation_)
    if isinstance(est, MLPRegressor):
        targets = tuple(Prediction("regressor", _activate(kind, o)) for o in out)
        return several(targets)
    classes = list(est.classes_)
    labels = [label_literal(c) for c in classes]
    if kind == "logistic" and len(out) == 1 and len(classes) == 2:
        p1 = ctx.materialize([sigmoid(out[0])], "proba")[0]
        label = Case(((Compare(">", p1, lit(0.5)), labels[1]), (Compare("<=", p1, lit(0.5)), labels[0])), None)
        return Prediction("classifier", label, tuple(classes), (sub(lit(1.0), p1), p1))
    if kind == "softmax" and len(out) == len(classes):
        probs = ctx.materialize(softmax(out, ctx.materialize), "proba")
        return Prediction("classifier", wide_argmax(probs, labels, ctx), tuple(classes), tuple(probs))
    raise UnsupportedEstimatorError(
        f"MLPClassifier with output activation {kind!r} and {len(out)} outputs (multilabel) is not supported"
    )
