"""The dbt package end to end on the local PostgreSQL through dbt-postgres: the same scenario as
test_dbt_duckdb (predictions = scikit-learn, log appends only new rows, a new version is scored
beside the old one, dbt's tests pass), in a schema of its own that is dropped afterwards.

Skipped when PostgreSQL is unreachable, unless 'postgres' is in SKL2SQL_REQUIRED_ENGINES.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import numpy as np
import pytest
import test_dbt_duckdb as shared
from conftest import get_engine
from dbt_harness import Scenario, fresh_project, restore_env, select_all, set_env
from sqlglot import exp

from engines import PG_DSN


def _dsn_part(key: str, default: str) -> str:
    for part in PG_DSN.split():
        k, _, v = part.partition("=")
        if k == key:
            return v
    return default


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    engine = get_engine("postgres")
    schema = f"skl2sql_dbt_{uuid.uuid4().hex[:10]}"
    project = fresh_project(tmp_path_factory.mktemp("dbt_pg") / "project")
    old = set_env({
        "SKL2SQL_PG_HOST": _dsn_part("host", "127.0.0.1"),
        "SKL2SQL_PG_PORT": _dsn_part("port", "5432"),
        "SKL2SQL_PG_USER": _dsn_part("user", "postgres"),
        "SKL2SQL_PG_PASSWORD": _dsn_part("password", ""),
        "SKL2SQL_PG_DB": _dsn_part("dbname", "test"),
        "SKL2SQL_PG_SCHEMA": schema,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })

    def query(table: str) -> dict[str, np.ndarray]:
        return engine.query(select_all(table, schema, "postgres"))

    s = Scenario(project, "postgres", query)
    try:
        s.run()
        yield s
    finally:
        restore_env(old)
        drop = exp.Drop(this=exp.Table(this=exp.Identifier(this=schema, quoted=True)), kind="SCHEMA",
                        exists=True, cascade=True)
        engine.execute(drop.sql(dialect="postgres"))


def test_predictions_match_sklearn(scenario: Scenario) -> None:
    shared.test_predictions_match_sklearn(scenario)


def test_model_as_data_matches_sklearn(scenario: Scenario) -> None:
    shared.test_model_as_data_matches_sklearn(scenario)


def test_tree_models_as_data_match_sklearn(scenario: Scenario) -> None:
    shared.test_tree_models_as_data_match_sklearn(scenario)


def test_stored_nan_is_missing(scenario: Scenario) -> None:
    shared.test_stored_nan_is_missing(scenario)


def test_infinity_gives_null_outputs(scenario: Scenario) -> None:
    shared.test_infinity_gives_null_outputs(scenario)


def test_splits_at_infinity_take_infinity_as_a_value(scenario: Scenario) -> None:
    shared.test_splits_at_infinity_take_infinity_as_a_value(scenario)


def test_log_appends_only_new_rows(scenario: Scenario) -> None:
    shared.test_log_appends_only_new_rows(scenario)


def test_new_version_scored_beside_old(scenario: Scenario) -> None:
    shared.test_new_version_scored_beside_old(scenario)


def test_registry_lists_every_version(scenario: Scenario) -> None:
    shared.test_registry_lists_every_version(scenario)


def test_scoring_runs_with_jit_off(scenario: Scenario) -> None:
    """The predict models' pre-hook switches PostgreSQL's JIT off for the scoring transaction
    (dbt's debug log records every statement it runs)."""
    log = (scenario.project / "logs" / "dbt.log").read_text(encoding="utf-8", errors="replace")
    assert "set local jit = off" in log
