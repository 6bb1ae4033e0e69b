"""Assemblers: one module per estimator family, registered explicitly here.

Importing this package imports every family module, which registers its estimator classes in
:mod:`skl2sql.assemblers.registry`. Optional libraries (LightGBM, XGBoost) are registered only
when installed.
"""

from __future__ import annotations

# Family modules, in no particular order. Each registers its classes on import.
from . import (
    linear,  # noqa: E402,F401  linear models
    pipeline,  # noqa: E402,F401  Pipeline, ColumnTransformer, FeatureUnion
    registry,
    scalers,  # noqa: E402,F401  StandardScaler, MinMaxScaler, ...
)
from .registry import assemble, predict, supported_estimators, transform

__all__ = ["registry", "assemble", "predict", "transform", "supported_estimators"]
