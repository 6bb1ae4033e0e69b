"""dbt integration: write compiled models into a dbt project (``skl2sql dbt add``).

    >>> from skl2sql.dbt import add_model
    >>> add_model(model, name="churn", project="dbt_project", input="stg_customers",
    ...           keep=["customer_id"], dialects=["duckdb", "postgres"])

See :mod:`skl2sql.dbt.project` for the files written and :mod:`skl2sql.dbt.data_mode` for models
stored as data (``as_data=True``; trees: :mod:`skl2sql.dbt.tree_data`), including :func:`data_mode_sql` to run or benchmark that
scoring without dbt.
"""

from __future__ import annotations

from .data_mode import DATA_MODE_ESTIMATORS, WEIGHT_COLUMNS, LinearWeights, data_mode_sql, linear_weights, model_as_data
from .project import AddResult, add_model, dbt_target_type, model_version, trees_seed_name, weights_seed_name
from .registry import REGISTRY_COLUMNS, REGISTRY_SEED, RegistryEntry, read_registry
from .tree_data import TREE_COLUMNS, TREE_DATA_ESTIMATORS, TreeNodes, tree_nodes

__all__ = [
    "add_model",
    "AddResult",
    "model_version",
    "dbt_target_type",
    "weights_seed_name",
    "trees_seed_name",
    "model_as_data",
    "tree_nodes",
    "TreeNodes",
    "TREE_COLUMNS",
    "TREE_DATA_ESTIMATORS",
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
