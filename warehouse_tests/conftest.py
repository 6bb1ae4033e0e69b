"""Shared fixtures: one connection per engine per test session.

A server engine that cannot be reached is skipped, unless it is listed in
``SKL2SQL_REQUIRED_ENGINES`` (CI lists all four): then the test fails, so a missing server can never
turn the parity matrix green by skipping it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from engines import ENGINES, FACTORIES, Engine, EngineUnavailable, required_engines  # noqa: E402

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
