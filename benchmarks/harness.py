"""Shared pieces of the benchmarks: data, timing, machine notes and the results table.

Timings on a shared machine are noisy, so every number we report is a *ratio* of two timings taken
in the same run, each the best of ``repeat`` runs (the minimum is the least disturbed by other
processes). Absolute seconds are printed too, for orientation only.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "NUMERIC",
    "TREE_FEATURES",
    "CATEGORICAL",
    "Row",
    "Result",
    "best_of",
    "generate",
    "machine_notes",
    "markdown",
    "max_abs_diff",
]

#: Input columns of the generated table.
NUMERIC = ["x1", "x2", "x3", "x4", "x5"]
CATEGORICAL = ["region", "plan"]
#: The tree cases read 20 numeric columns (as the trees issue asks): the five above and fifteen
#: more, half noisy copies of them, half pure noise, so trees split on all of them.
TREE_FEATURES = NUMERIC + [f"x{i}" for i in range(6, 21)]
REGIONS = np.array(["north", "south", "east", "west", "centre", "O'Hare"], dtype=object)
PLANS = np.array([f"plan_{i:02d}" for i in range(20)], dtype=object)


def generate(rows: int, seed: int = 20240611) -> tuple[pd.DataFrame, np.ndarray]:
    """``rows`` rows with an ``id``, five numeric and two categorical columns, fifteen more numeric
    columns (:data:`TREE_FEATURES`), and a binary label from a fixed logistic model (NumPy, fixed
    seed: the same table on every machine)."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "id": np.arange(rows, dtype=np.int64),
            "x1": rng.normal(0.0, 1.0, rows),
            "x2": rng.normal(50.0, 20.0, rows).round(2),
            "x3": rng.lognormal(0.0, 1.0, rows),
            "x4": rng.uniform(-5.0, 5.0, rows),
            "x5": rng.integers(0, 100, rows).astype(np.float64),
            "region": rng.choice(REGIONS, rows),
            "plan": rng.choice(PLANS, rows),
        }
    )
    logit = (
        0.9 * df["x1"]
        - 0.02 * (df["x2"] - 50.0)
        + 0.3 * np.log(df["x3"])
        + 0.2 * np.sin(df["x4"])
        + (df["region"] == "north") * 0.8
        - (df["plan"] == "plan_03") * 1.1
    )
    y = (logit + rng.logistic(0.0, 1.0, rows) > 0.0).astype(np.int64).to_numpy()
    extra = np.random.default_rng(seed + 1)  # its own stream: the columns above stay as they were
    for i in range(6, 21):
        noise = extra.normal(0.0, 1.0, rows)
        if i % 2 == 0:
            base = df[NUMERIC[(i - 6) % len(NUMERIC)]]
            noise = noise + ((base - base.mean()) / base.std()).to_numpy()
        df[f"x{i}"] = noise.round(3)
    return df, y


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    """Seconds of the fastest of ``repeat`` calls."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def max_abs_diff(got: np.ndarray, want: np.ndarray) -> float:
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    return float(np.max(np.abs(got - want))) if len(want) else 0.0


@dataclass
class Row:
    """One measured method of one case.

    ``vs_floor``: seconds / the case's scan floor (the cost of just reading the inputs and
    writing one column per row); ``vs_skl2sql``: seconds / skl2sql's seconds (above 1: skl2sql
    is that many times faster). ``error``: max |difference| from the estimator's own output (probabilities or values), when
    checked; ``note``: anything else worth saying (a failure, the rows checked)."""

    case: str
    method: str
    seconds: float | None
    vs_floor: float | None = None
    vs_skl2sql: float | None = None
    error: float | None = None
    note: str = ""


@dataclass
class Result:
    case: str
    rows: list[Row] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)
    skipped: str = ""


def machine_notes() -> dict[str, str]:
    """CPU model, cores, load, library versions: printed with every table, because ratios on a
    2-core shared machine and on a 32-core warehouse are different facts."""
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    notes = {"cpu": cpu, "cores": str(os.cpu_count())}
    try:
        notes["load average (1/5/15 min)"] = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        pass
    notes["python"] = platform.python_version()
    from importlib import metadata

    for dist in ("duckdb", "scikit-learn", "numpy", "sqlglot", "orbital", "lightgbm", "xgboost-cpu", "psycopg"):
        try:
            notes[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            notes[dist] = "not installed"
    return notes


def _fmt_seconds(s: float | None) -> str:
    return "—" if s is None else f"{s:.3f}"


def _fmt_ratio(r: float | None) -> str:
    return "—" if r is None or r != r else f"{r:.2f}x"  # r != r: NaN, a side that timed out


def _fmt_err(e: float | None) -> str:
    return "—" if e is None else f"{e:.1e}"


def markdown(results: list[Result], notes: dict[str, str], settings: dict[str, str]) -> str:
    """The results as markdown: settings and machine, then one table over every case."""
    lines = ["## Benchmark results", ""]
    for k, v in settings.items():
        lines.append(f"- {k}: {v}")
    for k, v in notes.items():
        lines.append(f"- {k}: {v}")
    lines += [
        "",
        "| case | method | best s | × scan floor | × skl2sql | max abs err | note |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for res in results:
        if res.skipped:
            lines.append(f"| {res.case} | (skipped) | | | | | {res.skipped} |")
            continue
        for r in res.rows:
            lines.append(
                f"| {r.case} | {r.method} | {_fmt_seconds(r.seconds)} | {_fmt_ratio(r.vs_floor)} "
                f"| {_fmt_ratio(r.vs_skl2sql)} | {_fmt_err(r.error)} | {r.note} |"
            )
    facts = [(res.case, k, v) for res in results for k, v in res.facts.items()]
    if facts:
        lines += ["", "| case | fact | value |", "|---|---|---|"]
        lines += [f"| {c} | {k} | {v} |" for c, k, v in facts]
    return "\n".join(lines) + "\n"
