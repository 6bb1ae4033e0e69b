"""The fast tier of the differential fuzzer (``fuzzing.py``): a fixed seed for a time budget
(``SKL2SQL_FUZZ_SECONDS``, default 30) on DuckDB and SQLite, so CI runs the same cases every time
(more on a faster machine) and prints its seed. ``SKL2SQL_FUZZ_SEED`` picks another campaign;
``make fuzz`` runs a long one on every engine."""

from __future__ import annotations

import os

import pytest

import fuzzing

SEED = int(os.environ.get("SKL2SQL_FUZZ_SEED", "20261207"))
SECONDS = float(os.environ.get("SKL2SQL_FUZZ_SECONDS", "30"))
#: At most this many cases: a faster machine does not reach cases a slower one never ran, so
#: the tier is the same check everywhere (all of them pass; longer campaigns: ``make fuzz``).
MAX_CASES = int(os.environ.get("SKL2SQL_FUZZ_CASES", "120"))


@pytest.mark.filterwarnings("ignore")
def test_fuzz_fast_tier(capsys: pytest.CaptureFixture[str]) -> None:
    engines = fuzzing.engines_named(["duckdb", "sqlite"])
    assert [e.name for e in engines] == ["duckdb", "sqlite"]
    try:
        report = fuzzing.campaign(SEED, SECONDS, engines, max_cases=MAX_CASES)
    finally:
        for e in engines:
            e.close()
    with capsys.disabled():
        print("\n" + report.summary())
    assert report.cases >= min(10, MAX_CASES), report.summary()
    assert not report.failures, "\n\n".join(f.report() for f in report.failures) + "\n" + report.summary()


def test_the_same_seed_draws_the_same_case() -> None:
    a, b = fuzzing.draw_case(12345), fuzzing.draw_case(12345)
    assert a.family == b.family and type(a.estimator) is type(b.estimator)
    assert a.X.equals(b.X)
