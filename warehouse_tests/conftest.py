"""Shared fixtures: one connection per engine per test session.

A server engine that cannot be reached is skipped, unless it is listed in
``SKL2SQL_REQUIRED_ENGINES`` (CI lists all four): then the test fails, so a missing server can never
turn the parity matrix green by skipping it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engines import ENGINES, FACTORIES, Engine, EngineUnavailable, required_engines

_cache: dict[str, Engine | str] = {}


def get_engine(name: str) -> Engine:
    """The session's connection to ``name``; skips (or fails, if required) when unreachable."""
    if name not in _cache:
        try:
            _cache[name] = FACTORIES[name]()
        except EngineUnavailable as err:
            _cache[name] = str(err)
    got = _cache[name]
    if isinstance(got, Engine) and not got.alive():
        # a server restart (e.g. after another process was OOM-killed) drops every connection;
        # reconnect instead of failing every later test
        try:
            got.close()
        except Exception:  # noqa: BLE001
            pass
        try:
            got = _cache[name] = FACTORIES[name]()
        except EngineUnavailable as err:
            got = _cache[name] = str(err)
    if isinstance(got, str):
        if name in required_engines():
            pytest.fail(f"required engine {name} is unavailable: {got}")
        pytest.skip(f"engine {name} unavailable: {got}")
    return got


#: Test modules that build dbt projects (dbt runs in-process, or as a child process).
DBT_MODULES = ("test_dbt_duckdb", "test_dbt_postgres", "test_dbt_log_guarantees", "test_monitoring_metrics")
#: Test modules that spend their time in child processes or long campaigns.
SLOW_MODULES = ("test_fuzz", "test_model_files")
SERVERS = ("postgres", "mariadb")


def pytest_configure(config: pytest.Config) -> None:
    for name, text in (("server", "runs SQL on a PostgreSQL or MariaDB server"),
                       ("sqlite", "runs SQL on SQLite"),
                       ("duckdb", "runs the parity check on DuckDB"),
                       ("dbt", "builds a dbt project"),
                       ("slow", "child processes or a fuzz campaign")):
        config.addinivalue_line("markers", f"{name}: {text}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tiers by marker, from what a test touches: ``server``, ``sqlite`` and ``duckdb`` (the
    engine named in its parameters), ``dbt``, ``slow``. The fast tier (``make test-fast``,
    under a minute on 2 cores) is everything else: compile, IR, emit-and-reparse, files."""
    for item in items:
        module = item.module.__name__ if item.module is not None else ""
        params = item.nodeid.split("[", 1)[1] if "[" in item.nodeid else ""
        words = {w for w in params.replace("]", "").replace("_", "-").split("-")}
        if module in DBT_MODULES:
            item.add_marker(pytest.mark.dbt)
        if module in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
        if words & set(SERVERS) or module == "test_dbt_postgres":
            item.add_marker(pytest.mark.server)
        for engine in ("sqlite", "duckdb"):
            if engine in words:
                item.add_marker(getattr(pytest.mark, engine))


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    yield get_engine(request.param)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for e in _cache.values():
        if isinstance(e, Engine):
            try:
                e.close()
            except Exception:  # noqa: BLE001
                pass
