"""``skl2sql report``: one self-contained HTML page from the monitoring tables.

Why one file with plotly.js inline: the page must open anywhere (an e-mail attachment, a CI
artifact, a machine without network), so nothing is fetched from a CDN. The data comes from the
warehouse tables the dbt package maintains; the report computes no metric of its own except the
binned prediction distribution of the latest batch (the same bins as the drift metrics), and the
alerts list applies the same default thresholds as the package's alert tests, plus the warnings
and failures of dbt's last ``run_results.json`` when a project directory is given.
"""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import SchemaError

__all__ = ["write_report", "resolve_duckdb_path", "ReportData", "load_report_data", "render_report", "DEFAULT_THRESHOLDS"]

#: (metric, direction, threshold): the defaults of the package's alert tests.
DEFAULT_THRESHOLDS: tuple[tuple[str, str, str, float], ...] = (
    ("skl2sql_monitor_feature_drift", "psi", "below", 0.2),
    ("skl2sql_monitor_prediction_drift", "psi", "below", 0.2),
    ("skl2sql_monitor_data_quality", "null_share", "below", 0.1),
    ("skl2sql_monitor_performance", "roc_auc", "above", 0.6),
)

_TABLES = (
    "skl2sql_monitor_data_quality",
    "skl2sql_monitor_feature_drift",
    "skl2sql_monitor_prediction_drift",
    "skl2sql_monitor_performance",
    "skl2sql_monitor_runs",
)


def resolve_duckdb_path(source: str | Path) -> tuple[Path, Path | None]:
    """(DuckDB file, project directory or None) for a ``.duckdb`` path or a dbt project directory
    whose profile's default target is DuckDB (``env_var`` defaults in profiles.yml are honoured)."""
    src = Path(source)
    if src.is_file():
        return src, None
    if not (src / "dbt_project.yml").is_file():
        raise FileNotFoundError(f"{src}: neither a DuckDB file nor a dbt project directory")
    import jinja2
    import yaml  # type: ignore[import-untyped]

    project = yaml.safe_load((src / "dbt_project.yml").read_text(encoding="utf-8"))
    profiles_dir = Path(os.environ.get("DBT_PROFILES_DIR", src))
    if not (profiles_dir / "profiles.yml").is_file():
        profiles_dir = src
    env = jinja2.Environment()
    env.globals["env_var"] = lambda name, default=None: os.environ.get(name, default)
    for name in ("as_number", "as_text", "as_bool", "as_native"):  # dbt's profile filters: values pass through
        env.filters[name] = lambda value: value
    text = env.from_string((profiles_dir / "profiles.yml").read_text(encoding="utf-8")).render()
    profiles = yaml.safe_load(text)
    profile = profiles[project["profile"]]
    target = profile["outputs"][profile.get("target", "dev")]
    if target.get("type") != "duckdb":
        raise SchemaError(f"{src}: the default target is {target.get('type')!r}; give the DuckDB file path instead")
    path = Path(str(target.get("path", "")))
    return (path if path.is_absolute() else src / path), src


@dataclass
class ReportData:
    """The monitoring tables (pandas DataFrames, possibly empty) and what the page needs besides."""

    tables: dict[str, Any]
    baselines: Any  # all baseline seeds, concatenated
    latest_predictions: dict[tuple[str, str], Any] = field(default_factory=dict)  # (model, column) -> values
    test_results: list[dict[str, str]] = field(default_factory=list)
    source: str = ""


def _find(con: Any, name: str) -> str | None:
    row = con.execute(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = ? ORDER BY table_schema LIMIT 1", [name]
    ).fetchone()
    return None if row is None else f'"{row[0]}"."{name}"'


def load_report_data(db_path: Path, project_dir: Path | None = None) -> ReportData:
    """Read the monitoring tables, the baselines and the latest batch's predictions."""
    import duckdb
    import pandas as pd

    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.ConnectionException:
        # this process already holds the file open read-write (dbt-duckdb run in-process)
        con = duckdb.connect(str(db_path))
    try:
        tables: dict[str, Any] = {}
        for t in _TABLES:
            rel = _find(con, t)
            tables[t] = con.execute(f"SELECT * FROM {rel}").df() if rel else pd.DataFrame()
        names = [r[0] for r in con.execute(
            "SELECT DISTINCT table_name FROM information_schema.tables WHERE table_name LIKE 'skl2sql_baseline_%'"
        ).fetchall()]
        frames = []
        for n in sorted(names):
            rel = _find(con, n)
            if rel:
                frames.append(con.execute(f"SELECT * FROM {rel}").df())
        baselines = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        latest: dict[tuple[str, str], Any] = {}
        pdrift = tables["skl2sql_monitor_prediction_drift"]
        if not baselines.empty and not pdrift.empty:
            for model in sorted(set(pdrift.model_name)):
                rel = _find(con, f"predict_{model}_log")
                rows = pdrift[pdrift.model_name == model]
                if rel is None or rows.empty:
                    continue
                batch = rows.sort_values("scored_at").batch.iloc[-1]
                for col in sorted(set(rows.feature.dropna())):
                    kind = baselines[(baselines.model_name == model) & (baselines.feature == col) & (baselines.role == "prediction")]
                    if kind.empty or kind.kind.iloc[0] != "numeric":
                        continue
                    q = f'SELECT CAST("{col}" AS DOUBLE) AS v FROM {rel} WHERE CAST(batch AS VARCHAR) = ? AND "{col}" IS NOT NULL'
                    latest[(model, col)] = (batch, con.execute(q, [str(batch)]).df().v.to_numpy())
    finally:
        con.close()
    results: list[dict[str, str]] = []
    if project_dir is not None and (project_dir / "target" / "run_results.json").is_file():
        try:
            rr = json.loads((project_dir / "target" / "run_results.json").read_text(encoding="utf-8"))
            for r in rr.get("results", []):
                if r.get("status") in ("warn", "fail", "error") and str(r.get("unique_id", "")).startswith("test."):
                    results.append({"test": r["unique_id"].split(".")[2], "status": r["status"],
                                    "message": str(r.get("message") or "")})
        except (OSError, ValueError, KeyError):
            pass
    return ReportData(tables=tables, baselines=baselines, latest_predictions=latest, test_results=results,
                      source=str(db_path))


def _ordered_batches(df: Any) -> list[str]:
    first = df.groupby("batch").scored_at.max().sort_values()
    return [str(b) for b in first.index]


def _short(batch: str) -> str:
    return batch[:8] if re.fullmatch(r"[0-9a-f]{8}-[0-9a-f-]{27}", batch) else batch


def _metric_figure(df: Any, title: str, metrics: list[str], thresholds: dict[str, float]) -> Any:
    """One subplot per metric, one line per feature, batches in scoring order on x."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    present = [m for m in metrics if (df.metric == m).any()]
    if not present:
        return None
    fig = make_subplots(rows=len(present), cols=1, subplot_titles=present, shared_xaxes=False,
                        vertical_spacing=0.12 if len(present) > 1 else 0.2)
    order = _ordered_batches(df)
    for i, m in enumerate(present, start=1):
        sub = df[df.metric == m]
        for feat in sorted(set(sub.feature.fillna("(model)"))):
            s = sub[sub.feature.fillna("(model)") == feat].copy()
            s["order"] = s.batch.map({b: k for k, b in enumerate(order)})
            s = s.sort_values("order")
            fig.add_trace(go.Scatter(x=[_short(str(b)) for b in s.batch], y=s.value, mode="lines+markers", name=f"{feat}",
                                     legendgroup=feat, showlegend=(i == 1)), row=i, col=1)
        if m in thresholds:
            fig.add_hline(y=thresholds[m], line_dash="dash", line_color="red", row=i, col=1)
    fig.update_layout(title=title, height=260 * len(present) + 80, margin={"t": 80, "l": 60, "r": 20, "b": 40})
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=[_short(b) for b in order])
    return fig


def _prediction_figure(data: ReportData, model: str, col: str) -> Any:
    import numpy as np
    import plotly.graph_objects as go

    base = data.baselines
    version_rows = data.tables["skl2sql_monitor_prediction_drift"]
    version_rows = version_rows[version_rows.model_name == model].sort_values("scored_at")
    version = str(version_rows.model_version.iloc[-1])
    bins = base[(base.model_name == model) & (base.model_version == version) & (base.role == "prediction")
                & (base.feature == col) & (base.stat == "bin")].sort_values("bin")
    if bins.empty:
        return None
    batch, values = data.latest_predictions[(model, col)]
    edges = bins.upper_edge.dropna().to_numpy(dtype=float)
    idx = np.searchsorted(edges, values, side="left")
    q = np.bincount(idx, minlength=len(bins)) / max(len(values), 1)
    labels = []
    for lo, hi in zip(bins.lower_edge, bins.upper_edge, strict=True):
        lo_s = "-inf" if lo != lo or lo is None else f"{lo:.3g}"
        hi_s = "+inf" if hi != hi or hi is None else f"{hi:.3g}"
        labels.append(f"({lo_s}, {hi_s}]")
    fig = go.Figure([
        go.Bar(x=labels, y=bins.value, name="training baseline"),
        go.Bar(x=labels, y=q, name=f"latest batch {_short(str(batch))}"),
    ])
    fig.update_layout(title=f"{model}: {col}, share per baseline bin: latest batch vs training", barmode="group",
                      height=380, yaxis_title="share", margin={"t": 60, "l": 60, "r": 20, "b": 80})
    return fig


def _alerts(data: ReportData) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for table, metric, direction, threshold in DEFAULT_THRESHOLDS:
        df = data.tables.get(table)
        if df is None or df.empty:
            continue
        for model in sorted(set(df.model_name)):
            rows = df[(df.model_name == model)]
            latest = rows[rows.scored_at == rows.scored_at.max()]
            hit = latest[(latest.metric == metric)
                         & ((latest.value >= threshold) if direction == "below" else (latest.value < threshold))]
            for _, r in hit.iterrows():
                out.append({"model": model, "batch": _short(str(r.batch)), "table": table,
                            "feature": "" if r.feature is None or r.feature != r.feature else str(r.feature),
                            "metric": metric, "value": f"{r.value:.4g}",
                            "expected": f"{'<' if direction == 'below' else '>='} {threshold}"})
    return out


def _table_html(rows: list[dict[str, str]], empty: str) -> str:
    if not rows:
        return f"<p class='ok'>{html.escape(empty)}</p>"
    head = "".join(f"<th>{html.escape(k)}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r.values()) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_report(data: ReportData) -> str:
    """The page as one HTML string with plotly.js inline (once)."""
    sections: list[tuple[str, Any]] = []
    fd = data.tables["skl2sql_monitor_feature_drift"]
    pdrift = data.tables["skl2sql_monitor_prediction_drift"]
    perf = data.tables["skl2sql_monitor_performance"]
    dq = data.tables["skl2sql_monitor_data_quality"]
    runs = data.tables["skl2sql_monitor_runs"]
    models = sorted(set().union(*[set(t.model_name) for t in data.tables.values() if not t.empty and "model_name" in t]))
    for model in models:
        if not fd.empty and (fd.model_name == model).any():
            sections.append((f"{model}: feature drift per batch", _metric_figure(
                fd[fd.model_name == model], f"{model}: feature drift per batch",
                ["psi", "wasserstein", "jensen_shannon", "ks", "linf"], {"psi": 0.2, "wasserstein": 0.1, "jensen_shannon": 0.1})))
        for (m, col) in sorted(data.latest_predictions):
            if m == model:
                sections.append((f"{model}: prediction distribution", _prediction_figure(data, model, col)))
        if not pdrift.empty and (pdrift.model_name == model).any():
            sections.append((f"{model}: prediction drift per batch", _metric_figure(
                pdrift[pdrift.model_name == model], f"{model}: prediction drift per batch", ["psi", "wasserstein", "linf"],
                {"psi": 0.2})))
        if not perf.empty and (perf.model_name == model).any():
            sections.append((f"{model}: performance per batch", _metric_figure(
                perf[perf.model_name == model], f"{model}: performance per batch (labelled rows only)",
                ["roc_auc", "accuracy", "f1", "log_loss", "brier", "mae", "rmse", "r2", "labelled_rows"], {"roc_auc": 0.6})))
        if not dq.empty and (dq.model_name == model).any():
            sections.append((f"{model}: data quality per batch", _metric_figure(
                dq[dq.model_name == model], f"{model}: data quality per batch",
                ["rows_scored", "null_share", "out_of_range_share", "unseen_category_share"], {"null_share": 0.1})))
        if not runs.empty and (runs.model_name == model).any():
            r = runs[(runs.model_name == model) & runs.metric.isin(["seconds"])].copy()
            r["scored_at"] = r["run_started_at"]
            r["feature"] = r["node_name"]
            sections.append((f"{model}: dbt runs", _metric_figure(r, f"{model}: seconds per dbt run and node", ["seconds"], {})))

    parts: list[str] = []
    first = True
    for title, fig in sections:
        if fig is None:
            continue
        parts.append(f"<section><h2>{html.escape(title)}</h2>"
                     + fig.to_html(full_html=False, include_plotlyjs=True if first else False, config={"displaylogo": False})
                     + "</section>")
        first = False
    alerts = _table_html(_alerts(data), "No metric of the latest batches breaks a default threshold.")
    tests = _table_html(data.test_results, "No dbt test warned or failed in the last run (or no run_results.json).")
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join(parts) if parts else "<p>No monitoring rows yet: run dbt build after `skl2sql dbt add --training-data`.</p>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>skl2sql monitoring report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 24px; color: #222; background: #fff; }}
h1 {{ margin-bottom: 0; }} .meta {{ color: #666; margin-top: 4px; }}
table {{ border-collapse: collapse; margin: 8px 0 24px; }} td, th {{ border: 1px solid #ccc; padding: 4px 8px; }}
th {{ background: #f0f0f0; }} .ok {{ color: #2a7; }} section {{ margin-bottom: 32px; }}
</style></head><body>
<h1>skl2sql monitoring report</h1>
<p class="meta">{html.escape(data.source)} &middot; generated {generated} &middot; models: {html.escape(", ".join(models) or "none")}</p>
<h2>Alerts (latest batch per model, default thresholds)</h2>
{alerts}
<h2>dbt tests that warned or failed</h2>
{tests}
{body}
</body></html>
"""


def write_report(source: str | Path, output: str | Path | None = None) -> Path:
    """Write the report of a dbt project directory (DuckDB target) or a DuckDB file; returns the
    HTML file's path (default: ``<project>/target/skl2sql_report.html`` or beside the file)."""
    db_path, project_dir = resolve_duckdb_path(source)
    if not db_path.is_file():
        raise FileNotFoundError(f"DuckDB file {db_path} does not exist: run dbt build first")
    data = load_report_data(db_path, project_dir)
    if output is None:
        output = (project_dir / "target" / "skl2sql_report.html") if project_dir else db_path.with_suffix(".report.html")
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(data), encoding="utf-8")
    return out
