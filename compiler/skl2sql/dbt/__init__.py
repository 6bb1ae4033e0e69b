"""dbt integration: write compiled models into a dbt project (``skl2sql dbt add``).

    >>> from skl2sql.dbt import add_model
    >>> add_model(model, name="churn", project="dbt_project", input="stg_customers",
    ...           keep=["customer_id"], dialects=["duckdb", "postgres"])

See :mod:`skl2sql.dbt.project` for the files written and :mod:`skl2sql.dbt.data_mode` for models
stored as data (``as_data=True``), including :func:`data_mode_sql` to run or benchmark that
scoring without dbt.
"""

from __future__ import annotations

from .data_mode import DATA_MODE_ESTIMATORS, WEIGHT_COLUMNS, LinearWeights, data_mode_sql, linear_weights
from .project import AddResult, add_model, dbt_target_type, model_version, weights_seed_name
from .registry import REGISTRY_COLUMNS, REGISTRY_SEED, RegistryEntry, read_registry

__all__ = [
    "add_model",
    "AddResult",
    "model_version",
    "dbt_target_type",
    "weights_seed_name",
    "data_mode_sql",
    "linear_weights",
    "LinearWeights",
    "WEIGHT_COLUMNS",
    "DATA_MODE_ESTIMATORS",
    "RegistryEntry",
    "REGISTRY_COLUMNS",
    "REGISTRY_SEED",
    "read_registry",
]
