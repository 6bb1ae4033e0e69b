"""Fitted estimators that predict with one estimator they hold: the hyper-parameter searches
(GridSearchCV, RandomizedSearchCV, HalvingGridSearchCV, HalvingRandomSearchCV) and
SelfTrainingClassifier.

A search with ``refit`` set predicts, transforms and scores through ``best_estimator_`` (sklearn's
``BaseSearchCV.predict`` and siblings call it and nothing else), so it compiles as that estimator;
users save the search object itself more often than its best estimator. A search fitted with
``refit=False`` has no estimator to predict with, and sklearn raises on ``predict``: refused.
SelfTrainingClassifier predicts through ``estimator_``, the classifier refitted on the
pseudo-labelled data.
"""

from __future__ import annotations

from typing import Any

from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.semi_supervised import SelfTrainingClassifier

from ...errors import UnsupportedEstimatorError
from ..context import Context
from ..interface import Feature, Prediction
from ..registry import assemble, register

__all__ = ["assemble_search", "assemble_self_training"]

try:  # experimental in scikit-learn; importable without the enable_* flag from its own module
    from sklearn.model_selection._search_successive_halving import HalvingGridSearchCV, HalvingRandomSearchCV

    _HALVING: tuple[type, ...] = (HalvingGridSearchCV, HalvingRandomSearchCV)
except ImportError:  # pragma: no cover - older or newer layouts
    _HALVING = ()


@register(GridSearchCV, RandomizedSearchCV, *_HALVING)
def assemble_search(est: Any, features: list[Feature], ctx: Context) -> Prediction | list[Feature]:
    """The search's ``best_estimator_``, as ``predict``/``predict_proba``/``transform`` use it."""
    best = getattr(est, "best_estimator_", None)
    if best is None:
        raise UnsupportedEstimatorError(
            f"{type(est).__name__} was fitted with refit=False: it has no best_estimator_ to predict "
            "with (sklearn raises on predict too); refit it, or compile the estimator you choose"
        )
    return assemble(best, features, ctx)


@register(SelfTrainingClassifier)
def assemble_self_training(est: Any, features: list[Feature], ctx: Context) -> Prediction | list[Feature]:
    """``estimator_``, the base classifier fitted on the labelled and pseudo-labelled rows."""
    return assemble(est.estimator_, features, ctx)
