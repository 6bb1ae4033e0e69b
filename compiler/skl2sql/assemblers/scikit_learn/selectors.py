"""Feature selectors: every ``SelectorMixin`` estimator of sklearn, selected by ``get_support()``.

A selector only keeps columns, so its SQL is the chosen input expressions unchanged. One subtlety:
``SelectorMixin.transform`` validates its input with ``ensure_all_finite`` set from the estimator's
``allow_nan`` tag. Selectors whose tag refuses NaN (the univariate filters, SelectFromModel /
RFE over a model that cannot take NaN) reject a row with a NaN in *any* input column, also a dropped
one, so such a row is NULL in every output.
"""

from __future__ import annotations

from sklearn.feature_selection import (
    RFE,
    RFECV,
    GenericUnivariateSelect,
    SelectFdr,
    SelectFpr,
    SelectFromModel,
    SelectFwe,
    SelectKBest,
    SelectPercentile,
    SequentialFeatureSelector,
    VarianceThreshold,
)
from sklearn.feature_selection._base import SelectorMixin

from ..context import Context
from ..interface import Feature
from ..registry import register
from ..shared.prep_common import guard_row

__all__ = ["assemble_selector", "SELECTORS"]

#: Registered explicitly (lookup is by exact class, so subclasses are refused rather than guessed).
SELECTORS: tuple[type, ...] = (
    VarianceThreshold,
    SelectKBest,
    SelectPercentile,
    GenericUnivariateSelect,
    SelectFpr,
    SelectFdr,
    SelectFwe,
    SelectFromModel,
    RFE,
    RFECV,
    SequentialFeatureSelector,
)


def _allows_nan(est: SelectorMixin) -> bool:
    try:
        return bool(est.__sklearn_tags__().input_tags.allow_nan)
    except AttributeError:  # pragma: no cover - older sklearn without tags objects
        return False


@register(*SELECTORS)
def assemble_selector(est: SelectorMixin, features: list[Feature], ctx: Context) -> list[Feature]:
    support = list(est.get_support())
    kept = [f for f, s in zip(features, support, strict=True) if s]
    if _allows_nan(est) or not kept:
        return kept
    exprs = guard_row([f.expr for f in features], [f.expr for f in kept], ctx)
    return [Feature(e, f.name) for e, f in zip(exprs, kept, strict=True)]
