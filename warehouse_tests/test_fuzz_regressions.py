"""Cases the differential fuzzer found, kept as named tests on every engine (docs/bugs_found.md).

Each replays the fuzz case of its seed (``fuzzing.draw_case``: the same seed draws the same
model and rows) and checks it as the fuzzer does."""

from __future__ import annotations

import pytest

import fuzzing
from engines import Engine


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(
    "seed",
    [
        # a linear-kernel SVC over 70 support vectors: kernel terms near 1e6 cancel to 0.42, and
        # the lowering regrouped sums of more than 32 terms, differing in the ninth digit
        200204,
        # PostgreSQL raised "value out of range: underflow" on products of subnormal inputs
        # (1e-310, 5e-324) with small weights: a linear model, an SVC and a scaled tree pipeline
        200163,
        200213,
        200227,
        # the first fix of that read every PostgreSQL input below 2**-511 as 0, trees' too: a
        # HistGradientBoosting split at exactly 0.0 then sent an input of 1e-310 the other way
        7701399,
    ],
)
def test_fuzz_case(seed: int, engine: Engine) -> None:
    case = fuzzing.draw_case(seed)
    fuzzing.check(case, case.X, engine)


def test_a_long_sum_keeps_its_order_in_sql(engine: Engine) -> None:
    """300 terms (more than one chain, so split into running partial sums), with cancellation."""
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LinearRegression

    from parity import check_parity

    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(0, 1e3, (320, 300)), columns=[f"c{i}" for i in range(300)])
    y = X.to_numpy() @ rng.normal(0, 1, 300) * 1e-6 + rng.normal(0, 1e-3, 320)
    est = LinearRegression().fit(X, y)
    compiled = check_parity(est, X.iloc[:8], engine)
    assert "psum" in compiled.sql
