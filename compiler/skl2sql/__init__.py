"""skl2sql: compile fitted scikit-learn, LightGBM and XGBoost models into exact SQL.

    >>> import skl2sql
    >>> compiled = skl2sql.compile(model, table="analytics.customers", dialect="duckdb",
    ...                            keep=["customer_id"])
    >>> compiled.sql, compiled.outputs, compiled.expressions()
"""

from __future__ import annotations

from .api import CompiledModel, compile
from .assemblers import supported_classes, supported_estimators
from .dialects import available_dialects
from .errors import (
    ExpressionTooLargeError,
    ModelLoadError,
    SchemaError,
    Skl2SqlError,
    UnsupportedDialectError,
    UnsupportedEstimatorError,
)

__version__ = "0.1.0"

__all__ = [
    "compile",
    "CompiledModel",
    "supported_estimators",
    "supported_classes",
    "available_dialects",
    "Skl2SqlError",
    "UnsupportedEstimatorError",
    "UnsupportedDialectError",
    "SchemaError",
    "ModelLoadError",
    "ExpressionTooLargeError",
    "__version__",
]
