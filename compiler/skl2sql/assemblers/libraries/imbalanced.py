"""imbalanced-learn, registered when it is installed (like LightGBM and XGBoost).

Resampling happens only while fitting, so at prediction time imbalanced-learn's estimators are
the scikit-learn ones they extend:

- ``imblearn.pipeline.Pipeline`` runs every step except the samplers (steps with
  ``fit_resample``: SMOTE, RandomUnderSampler...), as its ``_iter(filter_resample=True)`` does for
  ``predict``, ``predict_proba`` and ``transform``;
- ``BalancedRandomForestClassifier`` predicts as ``RandomForestClassifier`` (its trees were fitted
  on balanced bootstrap samples), ``BalancedBaggingClassifier`` and ``EasyEnsembleClassifier`` as
  ``BaggingClassifier`` (each base is an imbalanced-learn pipeline of a sampler and the
  estimator), ``RUSBoostClassifier`` as ``AdaBoostClassifier``: none of them overrides a
  prediction method.
"""

from __future__ import annotations

from typing import Any

from ..context import Context
from ..interface import Feature, Prediction
from ..registry import optional_module, register
from ..scikit_learn.bagging import assemble_bagging_classifier
from ..scikit_learn.boosting import assemble_adaboost_classifier
from ..scikit_learn.pipeline import assemble_steps
from ..scikit_learn.trees import assemble_forest_classifier

__all__: list[str] = []

_ensemble = optional_module("imblearn.ensemble")
_pipeline = optional_module("imblearn.pipeline")

if _pipeline is not None and _ensemble is not None:
    __all__ = ["assemble_imblearn_pipeline"]

    @register(_pipeline.Pipeline)
    def assemble_imblearn_pipeline(est: Any, features: list[Feature], ctx: Context) -> Prediction | list[Feature]:
        """The pipeline without its samplers (they only resample the training rows)."""
        steps = [s for _, s in est.steps]
        kept = [s for s in steps[:-1] if not hasattr(s, "fit_resample")]
        return assemble_steps([*kept, steps[-1]], features, ctx)

    register(_ensemble.BalancedRandomForestClassifier)(assemble_forest_classifier)
    register(_ensemble.BalancedBaggingClassifier, _ensemble.EasyEnsembleClassifier)(assemble_bagging_classifier)
    register(_ensemble.RUSBoostClassifier)(assemble_adaboost_classifier)
