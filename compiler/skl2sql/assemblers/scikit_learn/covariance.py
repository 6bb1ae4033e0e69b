"""EllipticEnvelope: an outlier detector on the squared Mahalanobis distance.

sklearn: ``score_samples = -mahalanobis(X)``, the squared distance to ``location_`` under the
precision matrix (``get_precision()``), computed as SciPy's ``mahalanobis``: ``m = (x - loc) @
VI @ (x - loc)``, then ``sqrt(m) ** 2``; ``decision_function = score_samples - offset_``;
``predict`` is 1 where the decision is ``>= 0``, else -1. The SQL writes ``t = VI @ (x - loc)``
(one stage), ``m = sum(t * (x - loc))``, and the same ``sqrt`` then square. Sums run left to right
where BLAS may group them otherwise: a few ulps of ``m``. A NULL feature gives NULL outputs
(sklearn refuses NaN).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.covariance import EllipticEnvelope

from ...ir import Arith, Case, Compare, Func, lit, mul, sub, total
from ..context import Context
from ..interface import Feature, Prediction
from ..registry import register
from ..shared.prep_common import fitted_inputs

__all__ = ["assemble_elliptic_envelope"]


@register(EllipticEnvelope)
def assemble_elliptic_envelope(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    location = np.asarray(est.location_, dtype=np.float64)
    precision = np.asarray(est.get_precision(), dtype=np.float64)
    xs = fitted_inputs(est, features, ctx, len(location), "raw")
    gaps = ctx.materialize([sub(x, lit(float(m))) for x, m in zip(xs, location, strict=True)], "gap")
    weighted = ctx.materialize(
        [total([mul(g, lit(float(w))) for g, w in zip(gaps, row, strict=True)]) for row in precision], "vi"
    )
    m = ctx.materialize([total([Arith("*", t, g) for t, g in zip(weighted, gaps, strict=True)])], "m")[0]
    # m >= 0 for a positive definite precision; should rounding ever make it negative, SciPy's
    # sqrt gives NaN where PostgreSQL would raise: NULL instead
    root = ctx.materialize([Case(((Compare(">=", m, lit(0.0)), Func("sqrt", (m,))),), None)], "root")[0]
    score = ctx.materialize([mul(lit(-1.0), Arith("*", root, root))], "score")[0]
    decision = ctx.materialize([sub(score, lit(float(est.offset_)))], "dec")[0]
    label = Case(((Compare(">=", decision, lit(0.0)), lit(1)), (Compare("<", decision, lit(0.0)), lit(-1))), None)
    return Prediction("outlier", label, decision=(decision,), extra=(("score_samples", score),))
