"""CalibratedClassifierCV (probabilities recalibrated by sigmoid or isotonic maps) and IsotonicRegression.

sklearn (``calibration.py``): each of ``calibrated_classifiers_`` (one per CV fold, or one with
``ensemble=False`` or a prefit/frozen estimator) reads its estimator's ``decision_function`` when
it has one, else ``predict_proba`` (the positive-class column for two classes), maps each class's
score through that class's calibrator, and normalises: two classes give ``[1 - p, p]``; more are
divided by the row sum, uniform where the sum is 0. Values within 1e-5 above 1 are set to 1.
``predict_proba`` is the mean over the calibrated classifiers and ``predict`` its first argmax.

Calibrators: ``_SigmoidCalibration`` is ``expit(-(a * f + b))``; ``IsotonicRegression`` clips
``f`` to ``[X_min_, X_max_]`` and interpolates linearly between its thresholds as SciPy's
``interp1d`` does (a value on a threshold uses the segment that ends there), or returns its one
value when the fit was constant.

``method='temperature'`` (one ``_TemperatureScaling`` per calibrated classifier): the logits are
the decision function (binary: ``(-d, d)``) or ``log(p + 1e-12)`` of ``predict_proba`` (binary:
of ``(1 - p1, p1)``), and the probabilities ``softmax(beta_ * logits)`` row by row, as
``sklearn.utils.extmath.softmax``. sklearn decides between the two readings of a multiclass
decision function per batch (all values in [0, 1] and every row summing to 1 are read as
probabilities); the SQL reads a decision function as logits on every row. Tolerance: two classes
over a model without ``decision_function`` take ``log(1 - p1 + 1e-12)``, which turns one ulp of
``p1`` next to 1.0 into up to 1e-4 of logit; where the base model's probabilities are exact to
the bit (trees, forests) the result is too, elsewhere (GaussianNB, MLP) rows with ``p1`` within
~1e-12 of 1 agree within about 1e-6 (measured: 1.2e-6 for GaussianNB on breast_cancer).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.isotonic import IsotonicRegression

from ...errors import UnsupportedEstimatorError
from ...ir import And, Arith, Case, Compare, Expr, Func, add, clip, div, lit, mul, sigmoid, softmax, sub, total
from ..context import Context
from ..interface import Feature, Prediction, label_literal
from ..registry import assemble, register
from ..shared.prep_common import piecewise_affine, wide_argmax
from .meta import _decision, _name, _sub_prediction

__all__ = ["assemble_calibrated_classifier", "assemble_isotonic", "interp1d_linear", "isotonic_predict"]


def interp1d_linear(x: Expr, xs: np.ndarray, ys: np.ndarray, ctx: Context) -> Expr:
    """SciPy's ``interp1d(xs, ys, kind='linear')`` at ``x`` already clipped to ``[xs[0], xs[-1]]``:
    ``searchsorted(xs, x, 'left')`` picks the segment ``[xs[k-1], xs[k]]`` whose right end is the
    first threshold ``>= x`` (the first segment for ``x = xs[0]``), and the value is
    ``slope * (x - xs[k-1]) + ys[k-1]``; NULL stays NULL. ``x <= xs[k]`` is written
    ``x < nextafter(xs[k], inf)`` for the binary search of :func:`piecewise_affine` (exact)."""
    terms: list[tuple[float, float, float]] = []
    for k in range(1, len(xs)):
        lo, hi = float(xs[k - 1]), float(xs[k])
        terms.append(((float(ys[k]) - float(ys[k - 1])) / (hi - lo), lo, float(ys[k - 1])))
    if len(terms) == 1:
        slope, lo, y0 = terms[0]
        return Case(((Compare(">=", x, lit(lo)), add(Arith("*", lit(slope), sub(x, lit(lo))), lit(y0))),), None)
    bounds = [float(np.nextafter(float(xs[k]), np.inf)) for k in range(1, len(xs) - 1)]
    return piecewise_affine(x, bounds, terms, ctx)


def isotonic_predict(iso: Any, f: Expr, ctx: Context, owner: Any) -> Expr:
    """``IsotonicRegression.predict``: outside ``[X_min_, X_max_]`` clip (``out_of_bounds='clip'``)
    or NULL (``'nan'``; ``'raise'`` raises in sklearn), then :func:`interp1d_linear`, or the one
    fitted value when the fit kept a single threshold. NULL stays NULL (sklearn refuses NaN)."""
    xs = np.asarray(iso.X_thresholds_, dtype=np.float64)
    ys = np.asarray(iso.y_thresholds_, dtype=np.float64)
    if np.any(np.diff(xs) <= 0):
        raise UnsupportedEstimatorError(f"{_name(owner)}: isotonic thresholds are not strictly increasing")
    low, high = float(iso.X_min_), float(iso.X_max_)
    clipping = iso.out_of_bounds == "clip"
    x = ctx.materialize([clip(f, low, high) if clipping else f], "iso")[0]
    if len(xs) >= 2 and clipping:
        return interp1d_linear(x, xs, ys, ctx)  # NULL stays NULL by itself
    value = lit(float(ys[0])) if len(xs) < 2 else interp1d_linear(x, xs, ys, ctx)
    inside: Expr = (
        Compare("=", x, x)  # true unless NULL
        if clipping
        else And((Compare(">=", x, lit(low)), Compare("<=", x, lit(high))))
    )
    return Case(((inside, value),), None)


@register(IsotonicRegression)
def assemble_isotonic(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    if len(features) != 1:
        raise UnsupportedEstimatorError(f"IsotonicRegression reads one feature, {len(features)} reach it")
    return Prediction("regressor", isotonic_predict(est, ctx.number(features[0].expr), ctx, est))


def _calibrate(calibrator: Any, f: Expr, ctx: Context, owner: Any) -> Expr:
    name = type(calibrator).__name__
    if name == "_SigmoidCalibration":
        # expit(-(a * f + b)); sigmoid(z) negates z again, exactly
        return sigmoid(sub(lit(0.0), add(mul(lit(float(calibrator.a_)), f), lit(float(calibrator.b_)))))
    if name == "IsotonicRegression":
        return isotonic_predict(calibrator, f, ctx, owner)
    raise UnsupportedEstimatorError(f"{_name(owner)}: calibrator {name} is not supported")


def _scores(owner: Any, est: Any, p: Prediction, n_classes: int) -> Sequence[Expr]:
    """The response sklearn calibrates: ``decision_function`` when the estimator has one, else
    ``predict_proba`` (its positive-class column for two classes)."""
    if hasattr(est, "decision_function"):
        return _decision(owner, est, p)
    if p.proba is None:
        raise UnsupportedEstimatorError(f"{_name(owner)}: {_name(est)} has neither decision_function nor predict_proba")
    return p.proba[1:] if n_classes == 2 else p.proba


def _calibrated_proba(owner: Any, cc: Any, features: list[Feature], ctx: Context, classes: list[Any]) -> list[Expr]:
    n = len(classes)
    est = cc.estimator
    p = _sub_prediction(est, features, ctx)
    scores = _scores(owner, est, p, n)
    index = {c: i for i, c in enumerate(classes)}
    positions = [index[c] for c in est.classes_]
    if len(scores) != len(cc.calibrators) or (n > 2 and len(scores) != len(positions)):
        raise UnsupportedEstimatorError(f"{_name(owner)}: {_name(est)} gives {len(scores)} scores for {n} classes")
    proba: list[Expr] = [lit(0.0)] * n
    for k, (f, calibrator) in enumerate(zip(scores, cc.calibrators, strict=True)):
        proba[1 if n == 2 else positions[k]] = _calibrate(calibrator, f, ctx, owner)
    if n == 2:
        p1 = ctx.materialize([proba[1]], "cal")[0]
        proba = [sub(lit(1.0), p1), p1]
    else:
        proba = ctx.materialize(proba, "cal")
        denom = ctx.materialize([total(proba)], "calsum")[0]
        uniform = lit(1.0 / n)
        proba = [Case(((Compare("!=", denom, lit(0.0)), div(q, denom)), (Compare("=", denom, lit(0.0)), uniform)), None)
                 for q in proba]
    return _round_above_one(ctx.materialize(proba, "calp"))


def _round_above_one(proba: Sequence[Expr]) -> list[Expr]:
    """Values in (1, 1 + 1e-5] become 1, as ``_CalibratedClassifier.predict_proba`` rounds them."""
    return [Case(((Compare(">", q, lit(1.0)), Case(((Compare("<=", q, lit(1.0 + 1e-5)), lit(1.0)),), q)),), q) for q in proba]


def _temperature_proba(owner: Any, cc: Any, features: list[Feature], ctx: Context, classes: list[Any]) -> list[Expr]:
    """``_TemperatureScaling.predict`` of the estimator's response (module docstring)."""
    est = cc.estimator
    if len(est.classes_) != len(classes):  # the columns are taken in order (the labels may be encoded)
        raise UnsupportedEstimatorError(f"{_name(owner)}: {_name(est)} gives {len(est.classes_)} classes for {len(classes)}")
    p = _sub_prediction(est, features, ctx)
    if hasattr(est, "decision_function"):
        decision = _decision(owner, est, p)
        logits = [sub(lit(0.0), decision[0]), decision[0]] if len(decision) == 1 else list(decision)
    else:
        if p.proba is None:
            raise UnsupportedEstimatorError(f"{_name(owner)}: {_name(est)} has neither decision_function nor predict_proba")
        probs = [sub(lit(1.0), p.proba[1]), p.proba[1]] if len(classes) == 2 else list(p.proba)
        logits = [Func("ln", (add(q, lit(1e-12)),)) for q in probs]
    beta = lit(float(cc.calibrators[0].beta_))
    scaled = ctx.materialize([mul(beta, z) for z in logits], "temp")
    proba = ctx.materialize(softmax(scaled, ctx.materialize), "tempp")
    return _round_above_one(proba)


@register(CalibratedClassifierCV)
def assemble_calibrated_classifier(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    methods = {str(cc.method) for cc in est.calibrated_classifiers_}
    if not methods <= {"sigmoid", "isotonic", "temperature"}:
        raise UnsupportedEstimatorError(f"CalibratedClassifierCV(method={sorted(methods)[0]!r}) is not supported")
    classes = list(est.classes_)
    n = len(classes)
    per = [
        (_temperature_proba if str(cc.method) == "temperature" else _calibrated_proba)(est, cc, features, ctx, classes)
        for cc in est.calibrated_classifiers_
    ]
    count = float(len(per))
    mean = ctx.materialize([div(total([q[k] for q in per]), lit(count)) for k in range(n)], "calmean")
    labels = [label_literal(c) for c in classes]
    return Prediction("classifier", wide_argmax(mean, labels, ctx), tuple(classes), proba=tuple(mean))


try:  # scikit-learn >= 1.6
    from sklearn.frozen import FrozenEstimator
except ImportError:  # pragma: no cover
    FrozenEstimator = None

if FrozenEstimator is not None:

    @register(FrozenEstimator)
    def assemble_frozen(est: Any, features: list[Feature], ctx: Context) -> Prediction | list[Feature]:
        """A frozen estimator predicts and transforms as the estimator it wraps (how a prefit
        model is calibrated since ``cv='prefit'`` was deprecated)."""
        return assemble(est.estimator, features, ctx)
