"""Monitoring part of the demo: more scoring batches (one drifted), labels arriving later, the
monitoring tables, the alert tests (warnings, so the demo still exits 0) and the HTML report.

Called by demo/run_demo.py after its first ``dbt build`` (the baseline seeds were written by
``skl2sql dbt add --training-data``)::

    from monitoring_demo import run_monitoring_demo
    run_monitoring_demo(PROJECT, dbt, X, y, OUT)

Batches: the demo's first batch ``2026-01`` is the training data itself; ``2026-02`` and
``2026-03`` are resampled patients with a little noise; ``2026-04`` shifts two measurements
(``mean_texture`` +40%, ``worst_smoothness`` +30%), which the models never saw. Labels for all
batches arrive in a later run, through the seed ``demo_labels`` and the var ``skl2sql_labels``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from skl2sql.monitoring.report import write_report

__all__ = ["run_monitoring_demo", "DRIFTED"]

#: The features the drifted batch shifts, and by how much (multiplicative).
DRIFTED = {"mean_texture": 1.4, "worst_smoothness": 1.3}
_BATCHES = ("2026-02", "2026-03", "2026-04")


def _batch(X: pd.DataFrame, y: pd.Series, rng: np.random.Generator, start_id: int, drift: bool) -> tuple[pd.DataFrame, pd.Series]:
    idx = rng.choice(len(X), size=len(X) // 2, replace=True)
    rows = X.iloc[idx].reset_index(drop=True).copy()
    labels = y.iloc[idx].reset_index(drop=True)
    numeric = [c for c in rows.columns if c != "size_band"]
    rows[numeric] = rows[numeric] * rng.normal(1.0, 0.02, size=(len(rows), len(numeric)))
    if drift:
        for col, factor in DRIFTED.items():
            rows[col] = rows[col] * factor
    rows.insert(0, "patient_id", np.arange(start_id, start_id + len(rows)))
    return rows, labels


def _labels_vars(models: list[str]) -> str:
    inner = ", ".join(f"{m}: {{relation: demo_labels, label_column: diagnosis}}" for m in models)
    return "{skl2sql_labels: {" + inner + "}}"


def run_monitoring_demo(project: Path, dbt: Callable[..., None], X: pd.DataFrame, y: pd.Series, out: Path) -> Path:
    """Score three more batches, then deliver labels; print the drift and performance the
    monitoring tables show; write the report and return its path."""
    rng = np.random.default_rng(2026)
    seed = project / "seeds" / "demo_patients.csv"
    table = pd.read_csv(seed)
    labels = pd.DataFrame({"patient_id": table.patient_id, "diagnosis": y.to_numpy()})
    models = sorted(p.name for p in (project / "models" / "skl2sql").iterdir() if p.is_dir())
    next_id = int(table.patient_id.max()) + 1
    for name in _BATCHES:
        rows, lab = _batch(X, y, rng, next_id, drift=name == _BATCHES[-1])
        next_id += len(rows)
        rows.insert(1, "batch_id", name)
        table = pd.concat([table, rows[table.columns]], ignore_index=True)
        labels = pd.concat([labels, pd.DataFrame({"patient_id": rows.patient_id, "diagnosis": lab.to_numpy()})])
        table.to_csv(seed, index=False, float_format="%.17g")
        print(f"\n-- monitoring demo: batch {name}{' (drifted: ' + ', '.join(DRIFTED) + ')' if name == _BATCHES[-1] else ''}")
        dbt("build")
    # labels arrive later, for every batch
    labels.to_csv(project / "seeds" / "demo_labels.csv", index=False)
    print("\n-- monitoring demo: labels arrive")
    dbt("build", "--vars", _labels_vars(models))

    db = project / "skl2sql.duckdb"
    con = duckdb.connect(str(db), read_only=True)
    try:
        _print_summary(con)
    finally:
        con.close()
    report = write_report(project, out / "skl2sql_report.html")
    print(f"\nmonitoring report: {report}")
    return report


def _print_summary(con: Any) -> None:
    drift = con.execute(
        "SELECT model_name, batch, feature, value FROM skl2sql_monitor_feature_drift "
        "WHERE metric = 'psi' AND value >= 0.2 ORDER BY model_name, batch, value DESC"
    ).fetchall()
    print("\nfeature drift, PSI >= 0.2 (alert threshold):")
    for model, batch, feature, value in drift:
        print(f"    {model:<20} {batch:<8} {feature:<24} psi = {value:.3f}")
    perf = con.execute(
        "SELECT model_name, batch, metric, value FROM skl2sql_monitor_performance "
        "WHERE metric IN ('roc_auc', 'accuracy', 'labelled_rows') ORDER BY model_name, scored_at, metric"
    ).fetchall()
    print("\nperformance per batch once labels arrived:")
    for model, batch, metric, value in perf:
        print(f"    {model:<20} {batch:<8} {metric:<14} {value:.4f}")
