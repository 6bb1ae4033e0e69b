"""Model monitoring kept in SQL: the training baseline written beside a model in a dbt project,
and the report that plots the monitoring tables.

The metrics themselves are computed in the warehouse by the dbt package's monitoring models
(``models/monitoring/``); see ``docs/monitoring.md`` for the definitions.
"""

from __future__ import annotations

from .baseline import Baseline, BaselineRow, bin_edges, load_training_data, profile_training_data
from .project import baseline_seed_name, write_baseline

__all__ = [
    "write_baseline",
    "profile_training_data",
    "load_training_data",
    "bin_edges",
    "Baseline",
    "BaselineRow",
    "baseline_seed_name",
]
