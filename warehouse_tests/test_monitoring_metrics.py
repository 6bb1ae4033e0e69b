"""Monitoring metrics computed by the dbt package, checked against trusted implementations on the
same data: scipy (ks_2samp, wasserstein_distance, jensenshannon), scikit-learn (roc_auc_score,
log_loss, brier_score_loss, accuracy/precision/recall/F1, MAE/RMSE/R²) and the PSI formula.

One dbt project per engine, built four times like a production schedule: batch w1, then w2
(drifted: ``a`` shifted, plan mix changed, an unseen plan), then w3 (NULLs in ``b``), then only
more labels. Two models score the same input: ``churn`` (binary classifier, batches named by the
``week`` column) and ``value`` (regressor, default batches: one per dbt run).

Binned metrics agree with the reference computed on the same binned representation within 1e-9;
their distance to the raw-sample scipy value is checked against the bounds documented in
docs/monitoring.md.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from monitoring_helpers import (
    FEATURES,
    Project,
    classifier,
    drop_pg_schema,
    make_frame,
    make_project,
    multiclass,
    regressor,
)
from scipy.spatial.distance import jensenshannon
from scipy.stats import ks_2samp, wasserstein_distance
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    f1_score,
    log_loss,
    mean_absolute_error,
    mean_squared_error,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
)

from skl2sql.dbt.project import add_model

EXACT = 1e-9
EPS = 1e-4

#: Alert tests on copies of the monitoring tables (a project cannot attach tests to a package's models).
ALERT_TESTS = """
version: 2
models:
  - name: feature_drift_copy
    data_tests:
      - skl2sql.drift_below:
          name: psi_any_batch_warns
          arguments: {metric: psi, latest_only: false}
          config: {severity: warn}
      - skl2sql.drift_below:
          name: psi_latest_batch_passes
          arguments: {metric: psi}
      - skl2sql.drift_below:
          name: wasserstein_a_w2_fails
          arguments: {metric: wasserstein, threshold: 0.5, feature: a, model_name: churn, latest_only: false}
  - name: performance_copy
    data_tests:
      - skl2sql.performance_above:
          name: auc_above_099_fails
          arguments: {metric: roc_auc, threshold: 0.99, model_name: churn}
      - skl2sql.performance_below:
          name: log_loss_below_10_passes
          arguments: {metric: log_loss, threshold: 10}
  - name: data_quality_copy
    data_tests:
      - skl2sql.null_share_below:
          name: null_share_latest_warns
          arguments: {threshold: 0.05, model_name: churn}
          config: {severity: warn}
      - skl2sql.data_quality_below:
          name: unseen_any_batch_fails
          arguments: {metric: unseen_category_share, threshold: 0.05, latest_only: false}
"""


class Scenario:
    """The project after the four runs, plus the data that went in and snapshots between runs."""

    def __init__(self, project: Project, train: pd.DataFrame, batches: dict[str, pd.DataFrame],
                 labels: pd.DataFrame, perf_after_run3: pd.DataFrame, value_batches: dict[str, str],
                 churn_model: Any) -> None:
        self.project = project
        self.churn_model = churn_model
        self.train = train
        self.batches = batches
        self.labels = labels
        self.perf_after_run3 = perf_after_run3
        self.value_batches = value_batches  # invocation-id batch of the value model -> week
        self.test_status: dict[str, tuple[str, int]] = {}

    def baseline(self, name: str) -> pd.DataFrame:
        path = self.project.path / "seeds" / "skl2sql" / name / f"skl2sql_baseline_{name}.csv"
        rows = list(csv.DictReader(io.StringIO(path.read_text())))
        df = pd.DataFrame(rows)
        for c in ("value", "lower_edge", "upper_edge", "center"):
            df[c] = pd.to_numeric(df[c].replace("", np.nan))
        df["bin"] = pd.to_numeric(df["bin"].replace("", np.nan))
        return df


def _build(target: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    rng = np.random.default_rng(7)
    train = make_frame(rng, 3000, 0)
    project = make_project(tmp_path_factory.mktemp(f"mon_{target}"), target, tests_yml=ALERT_TESTS)
    (project.path / "models" / "feature_drift_copy.sql").write_text("select * from {{ ref('skl2sql_monitor_feature_drift') }}\n")
    (project.path / "models" / "performance_copy.sql").write_text("select * from {{ ref('skl2sql_monitor_performance') }}\n")
    (project.path / "models" / "data_quality_copy.sql").write_text("select * from {{ ref('skl2sql_monitor_data_quality') }}\n")
    churn_model = classifier(train)
    try:
        add_model(churn_model, name="churn", project=project.path, input="source:raw.customers",
                  keep=["customer_id"], batch_column="week", dialects=["duckdb", "postgres"], training_data=train[[*FEATURES, "churned"]])
        add_model(regressor(train), name="value", project=project.path, input="source:raw.customers",
                  keep=["customer_id"], dialects=["duckdb", "postgres"], training_data=train[[*FEATURES, "value"]])
        add_model(multiclass(train), name="plan", project=project.path, input="source:raw.customers",
                  keep=["customer_id"], batch_column="week", dialects=["duckdb", "postgres"],
                  training_data=train[["a", "b", "n", "plan"]])
        batches = {
            "w1": make_frame(rng, 700, 10_000).assign(week="w1"),
            "w2": make_frame(rng, 700, 20_000, shift_a=1.0, plan_p=(0.2, 0.3, 0.3, 0.2),
                             plans=["basic", "pro", "team", "enterprise"]).assign(week="w2"),
            "w3": make_frame(rng, 500, 30_000, null_b=0.1).assign(week="w3"),
        }
        inputs = [c for c in batches["w1"].columns if c not in ("churned", "value")]
        labels = pd.concat(batches.values(), ignore_index=True)[["customer_id", "churned", "value"]]
        half = labels.sample(frac=0.5, random_state=1)

        project.load("labels", labels.iloc[:0])
        project.load("customers", batches["w1"][inputs])
        project.run("seed")
        project.run("run")
        # w2 arrives (the input keeps accumulating); labels for half of w1 arrive
        project.load("customers", pd.concat([batches["w1"], batches["w2"]])[inputs])
        project.load("labels", half[half.customer_id < 20_000])
        project.run("run")
        # w3 arrives, its missing values of b stored as NaN (monitoring and scoring read them as
        # missing, as sklearn does); all of w1 and half of w2 are labelled
        project.load("customers", pd.concat(batches.values())[inputs], nan_columns=["b"])
        project.load("labels", pd.concat([labels[labels.customer_id < 20_000], half[half.customer_id.between(20_000, 29_999)]]))
        project.run("run")
        perf3 = project.metrics("skl2sql_monitor_performance")
        # no new data, only labels: everything labelled except 30 rows of w3
        project.load("labels", labels.iloc[:-30])
        project.run("run")

        tests = project.run("test", expect_ok=False)
        test_status = {r.node.name: (str(r.status), int(r.failures or 0)) for r in tests.result}
        log = project.query(f"SELECT DISTINCT batch, customer_id FROM {project.table_name('predict_value_log')}")
        week_of = {int(c): w for w, df in batches.items() for c in df.customer_id}
        value_batches = {str(b): week_of[int(c)] for b, c in zip(log.batch, log.customer_id, strict=True)}
        scenario = Scenario(project, train, batches, labels.iloc[:-30], perf3, value_batches, churn_model)
        scenario.test_status = test_status
        yield scenario
    finally:
        drop_pg_schema(project)


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def scenario(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    if request.param == "postgres":
        from conftest import get_engine

        get_engine("postgres")  # skips (or fails in CI) when the server is unreachable
    yield from _build(request.param, tmp_path_factory)


# --- reference implementations on the binned representation -----------------------------------

def _bins(base: pd.DataFrame, role: str, feature: str) -> pd.DataFrame:
    return base[(base.role == role) & (base.feature == feature) & (base.stat == "bin")].sort_values("bin")


def _stat(base: pd.DataFrame, role: str, feature: str, stat: str) -> float:
    return float(base[(base.role == role) & (base.feature == feature) & (base.stat == stat)].value.iloc[0])


def numeric_reference(base: pd.DataFrame, role: str, feature: str, train: np.ndarray, current: np.ndarray) -> dict[str, Any]:
    """PSI / JS / KS / Wasserstein on the binned representation, and the raw-sample values."""
    bins = _bins(base, role, feature)
    edges = bins.upper_edge.dropna().to_numpy()
    p = bins.value.to_numpy()
    v = current[~np.isnan(current)]
    t = train[~np.isnan(train)]
    idx = np.searchsorted(edges, v, side="left")
    q = np.bincount(idx, minlength=len(p)) / len(v)
    means = np.array([v[idx == j].mean() if (idx == j).any() else np.nan for j in range(len(p))])
    centers = bins.center.to_numpy()
    std = _stat(base, role, feature, "std")
    train_idx = np.searchsorted(edges, t, side="left")
    return {
        "psi": float(np.sum((q - p) * np.log((q + EPS) / (p + EPS)))),
        "jensen_shannon": float(jensenshannon(p, q, base=2)),
        "ks": float(ks_2samp(train_idx, idx).statistic),
        "wasserstein": float(wasserstein_distance(centers[p > 0], means[q > 0], p[p > 0], q[q > 0]) / std),
        "raw_ks": float(ks_2samp(t, v).statistic),
        "raw_wasserstein": float(wasserstein_distance(t, v) / std),
        "ks_bound": float(np.max(np.maximum(p, q))),
        # W1 moves each value to its bin's mean at a cost of the mean absolute deviation in the bin
        "w_bound": float((sum(np.abs(t[train_idx == j] - t[train_idx == j].mean()).sum() for j in range(len(p)) if (train_idx == j).any()) / len(t)
                          + sum(np.abs(v[idx == j] - means[j]).sum() for j in range(len(p)) if (idx == j).any()) / len(v)) / std),
    }


def categorical_reference(base: pd.DataFrame, role: str, feature: str, current: list[Any]) -> dict[str, float]:
    ref = base[(base.role == role) & (base.feature == feature) & (base.stat == "category")]
    pref = dict(zip(ref.category, ref.value, strict=True))
    cur = [str(c) for c in current if c is not None and not (isinstance(c, float) and np.isnan(c))]
    counts = pd.Series(cur).value_counts()
    cats = sorted(set(pref) | set(counts.index))
    p = np.array([pref.get(c, 0.0) for c in cats])
    q = np.array([counts.get(c, 0) / len(cur) for c in cats])
    return {
        "psi": float(np.sum((q - p) * np.log((q + EPS) / (p + EPS)))),
        "jensen_shannon": float(jensenshannon(p, q, base=2)),
        "linf": float(np.max(np.abs(p - q))),
    }


def _value(df: pd.DataFrame, model: str, batch: str, feature: str | None, metric: str) -> float:
    sel = df[(df.model_name == model) & (df.batch == batch) & (df.metric == metric)]
    sel = sel[sel.feature.isna()] if feature is None else sel[sel.feature == feature]
    assert len(sel) == 1, f"{model}/{batch}/{feature}/{metric}: {len(sel)} rows"
    return float(sel.value.iloc[0])


# --- tests -------------------------------------------------------------------------------------

def test_baseline_seed_profiles_training_data(scenario: Scenario) -> None:
    base = scenario.baseline("churn")
    t = scenario.train
    for f in ("a", "b", "n"):
        assert _stat(base, "feature", f, "min") == t[f].min()
        assert _stat(base, "feature", f, "max") == t[f].max()
        assert abs(_stat(base, "feature", f, "mean") - t[f].mean()) < EXACT
        assert abs(_stat(base, "feature", f, "std") - t[f].std(ddof=0)) < EXACT
        bins = _bins(base, "feature", f)
        assert abs(bins.value.sum() - 1) < EXACT and (bins.value > 0).all()
        assert bins.lower_edge.isna().iloc[0] and bins.upper_edge.isna().iloc[-1]
    assert len(_bins(base, "feature", "a")) == 10  # continuous: ten quantile bins
    assert len(_bins(base, "feature", "n")) < 10  # integer-valued: tied quantiles merged
    shares = t.plan.value_counts(normalize=True)
    cats = base[(base.feature == "plan") & (base.stat == "category")]
    assert dict(zip(cats.category, cats.value, strict=True)) == pytest.approx(shares.to_dict(), abs=EXACT)
    assert not _bins(base, "prediction", "probability_1").empty
    rate = base[(base.role == "label") & (base.stat == "positive_rate")].value.iloc[0]
    assert abs(rate - t.churned.mean()) < EXACT
    assert _stat(scenario.baseline("value"), "label", "value", "mean") == pytest.approx(t.value.mean(), abs=EXACT)


def test_data_quality(scenario: Scenario) -> None:
    dq = scenario.project.metrics("skl2sql_monitor_data_quality")
    base = scenario.baseline("churn")
    for week, df in scenario.batches.items():
        assert _value(dq, "churn", week, None, "rows_scored") == len(df)
        for f in ("a", "b", "n"):
            lo, hi = _stat(base, "feature", f, "min"), _stat(base, "feature", f, "max")
            assert abs(_value(dq, "churn", week, f, "null_share") - df[f].isna().mean()) < EXACT
            assert abs(_value(dq, "churn", week, f, "out_of_range_share") - ((df[f] < lo) | (df[f] > hi)).mean()) < EXACT
        assert abs(_value(dq, "churn", week, "plan", "unseen_category_share") - (~df.plan.isin(["basic", "pro", "team"])).mean()) < EXACT
    assert _value(dq, "churn", "w2", "plan", "unseen_category_share") > 0.1
    assert _value(dq, "churn", "w3", "b", "null_share") > 0.05
    assert set(dq.columns) >= {"model_name", "model_version", "batch", "feature", "metric", "value"}
    # the regressor's batches are dbt runs (invocation ids), one per week
    assert sorted(scenario.value_batches.values()) == ["w1", "w2", "w3"]
    for batch, week in scenario.value_batches.items():
        assert _value(dq, "value", batch, None, "rows_scored") == len(scenario.batches[week])


def test_feature_drift_matches_scipy_on_binned_data(scenario: Scenario) -> None:
    fd = scenario.project.metrics("skl2sql_monitor_feature_drift")
    base = scenario.baseline("churn")
    worst: dict[str, float] = {"ks": 0.0, "wasserstein": 0.0}
    for week, df in scenario.batches.items():
        for f in ("a", "b", "n"):
            ref = numeric_reference(base, "feature", f, scenario.train[f].to_numpy(float), df[f].to_numpy(float))
            for metric in ("psi", "jensen_shannon", "ks", "wasserstein"):
                got = _value(fd, "churn", week, f, metric)
                assert abs(got - ref[metric]) < EXACT, (week, f, metric, got, ref[metric])
            # the binning error against the raw samples stays within the documented bounds
            ks_err = ref["raw_ks"] - ref["ks"]
            assert -EXACT <= ks_err <= ref["ks_bound"] + EXACT
            w_err = abs(ref["raw_wasserstein"] - ref["wasserstein"])
            assert w_err <= ref["w_bound"] + EXACT
            worst["ks"] = max(worst["ks"], ks_err)
            worst["wasserstein"] = max(worst["wasserstein"], w_err)
        ref_c = categorical_reference(base, "feature", "plan", df.plan.tolist())
        for metric in ("psi", "jensen_shannon", "linf"):
            assert abs(_value(fd, "churn", week, "plan", metric) - ref_c[metric]) < EXACT
    print(f"largest binning error vs raw samples: {worst}")
    # the drifted batch stands out
    assert _value(fd, "churn", "w2", "a", "psi") > 0.2 > _value(fd, "churn", "w1", "a", "psi")
    assert _value(fd, "churn", "w2", "plan", "psi") > 0.2 > _value(fd, "churn", "w1", "plan", "psi")


def test_prediction_drift_matches_scipy(scenario: Scenario) -> None:
    pdrift = scenario.project.metrics("skl2sql_monitor_prediction_drift")
    base = scenario.baseline("churn")
    train_scores = scenario.churn_model.predict_proba(scenario.train[FEATURES])[:, 1]
    log = scenario.project.query(f"SELECT * FROM {scenario.project.table_name('predict_churn_log')}")
    for week in scenario.batches:
        rows = log[log.batch == week]
        ref = numeric_reference(base, "prediction", "probability_1", train_scores, rows.probability_1.to_numpy(float))
        for metric in ("psi", "jensen_shannon", "ks", "wasserstein"):
            assert abs(_value(pdrift, "churn", week, "probability_1", metric) - ref[metric]) < EXACT
        labels = [None if pd.isna(x) else str(int(x)) for x in rows.prediction]  # NULL rows make the column float
        ref_c = categorical_reference(base, "prediction", "prediction", labels)
        for metric in ("psi", "jensen_shannon", "linf"):
            assert abs(_value(pdrift, "churn", week, "prediction", metric) - ref_c[metric]) < EXACT
    value_pred = _value(pdrift, "value", next(iter(scenario.value_batches)), "prediction", "psi")
    assert value_pred >= 0


def _performance_reference(s: Scenario, model: str, batch: str, rows: pd.DataFrame) -> dict[str, float]:
    lab = s.labels.set_index("customer_id")
    rows = rows[rows.customer_id.isin(lab.index) & rows.prediction.notna()]
    if model == "churn":
        y = lab.loc[rows.customer_id, "churned"].to_numpy()
        p1 = rows.probability_1.to_numpy(float)
        proba = rows[["probability_0", "probability_1"]].to_numpy(float)
        pred = rows.prediction.to_numpy().astype(int)
        return {
            "labelled_rows": len(rows),
            "roc_auc": roc_auc_score(y, p1),
            "log_loss": log_loss(y, proba, labels=[0, 1]),
            "brier": brier_score_loss(y, p1),
            "accuracy": accuracy_score(y, pred),
            "precision": precision_score(y, pred, zero_division=0),
            "recall": recall_score(y, pred, zero_division=0),
            "f1": f1_score(y, pred, zero_division=0),
        }
    y = lab.loc[rows.customer_id, "value"].to_numpy(float)
    pred_v = rows.prediction.to_numpy(float)
    return {
        "labelled_rows": len(rows),
        "mae": mean_absolute_error(y, pred_v),
        "rmse": float(np.sqrt(mean_squared_error(y, pred_v))),
        "r2": r2_score(y, pred_v),
    }


def test_performance_matches_sklearn(scenario: Scenario) -> None:
    perf = scenario.project.metrics("skl2sql_monitor_performance")
    for model in ("churn", "value"):
        log = scenario.project.query(f"SELECT * FROM {scenario.project.table_name(f'predict_{model}_log')}")
        for batch in sorted(set(log.batch)):
            ref = _performance_reference(scenario, model, batch, log[log.batch == batch])
            for metric, expected in ref.items():
                got = _value(perf, model, batch, None, metric)
                assert abs(got - expected) < EXACT, (model, batch, metric, got, expected)
    # the drifted batch performs worse than the first
    assert _value(perf, "churn", "w2", None, "roc_auc") < _value(perf, "churn", "w1", None, "roc_auc") + 0.05


def test_performance_recomputed_only_for_batches_whose_labels_grew(scenario: Scenario) -> None:
    before = scenario.perf_after_run3
    after = scenario.project.metrics("skl2sql_monitor_performance")
    churn_b = before[(before.model_name == "churn") & (before.metric == "labelled_rows")].set_index("batch").value
    churn_a = after[(after.model_name == "churn") & (after.metric == "labelled_rows")].set_index("batch").value
    assert churn_b["w1"] == churn_a["w1"] == 700  # all of w1 was labelled by run 3
    assert churn_b["w2"] < churn_a["w2"]  # w2's labels grew in run 4
    assert "w3" not in churn_b.index or churn_b["w3"] < churn_a["w3"]

    def computed(df: pd.DataFrame, batch: str) -> Any:
        return df[(df.model_name == "churn") & (df.batch == batch)].computed_at.max()

    assert computed(before, "w1") == computed(after, "w1")  # not recomputed
    assert computed(before, "w2") < computed(after, "w2")  # recomputed


def test_runs_table_records_each_run(scenario: Scenario) -> None:
    runs = scenario.project.metrics("skl2sql_monitor_runs")
    log_runs = runs[(runs.node_name == "predict_churn_log") & (runs.metric == "rows_written")]
    assert sorted(log_runs.value.tolist()) == sorted([700.0, 700.0, 500.0, 0.0])
    assert (runs[runs.metric == "succeeded"].value == 1).all()
    assert (runs[runs.metric == "seconds"].value > 0).all()
    assert set(runs.model_name) == {"churn", "value", "plan"}
    assert runs.batch.nunique() == 4  # one per dbt run


def test_alert_tests_warn_and_fail_on_thresholds(scenario: Scenario) -> None:
    st = scenario.test_status
    fd = scenario.project.metrics("skl2sql_monitor_feature_drift")
    drifting = int(((fd.metric == "psi") & (fd.value >= 0.2)).sum())
    assert drifting >= 2
    assert st["psi_any_batch_warns"] == ("warn", drifting)
    assert st["psi_latest_batch_passes"][0] == "pass"
    w_a = fd[(fd.model_name == "churn") & (fd.feature == "a") & (fd.metric == "wasserstein") & (fd.value >= 0.5)]
    assert "w2" in set(w_a.batch) and st["wasserstein_a_w2_fails"] == ("fail", len(w_a))
    assert st["auc_above_099_fails"][0] == "fail"
    assert st["log_loss_below_10_passes"][0] == "pass"
    assert st["null_share_latest_warns"] == ("warn", 1)  # b in w3
    assert st["unseen_any_batch_fails"] == ("fail", 2)  # plan in w2, for both models that take plan
    # the package's own default alerts are warnings, never errors
    defaults = {k: v for k, v in st.items() if k.startswith("skl2sql_")}
    assert defaults and all(v[0] in ("pass", "warn") for v in defaults.values())


def test_report_renders_in_headless_chromium(scenario: Scenario, tmp_path: Any) -> None:
    if scenario.project.target != "duckdb":
        pytest.skip("the report reads DuckDB files")
    from report_check import check_report_renders

    from skl2sql.monitoring.report import write_report

    out = write_report(scenario.project.path, tmp_path / "report.html")
    text = out.read_text()
    assert "<script src=" not in text and "<link" not in text  # plotly.js inline, nothing fetched
    assert "churn: feature drift per batch" in text and "performance per batch" in text
    check_report_renders(out, tmp_path, min_plots=8)
    # the command line writes the same page from the DuckDB file
    from skl2sql.cli import main as cli

    assert scenario.project.db_path is not None
    assert cli(["report", str(scenario.project.db_path), "-o", str(tmp_path / "cli.html")]) == 0
    assert "churn: feature drift per batch" in (tmp_path / "cli.html").read_text()
    assert cli(["report"]) == 2  # neither a file nor --project: one-line error


def test_multiclass_performance_matches_sklearn(scenario: Scenario) -> None:
    perf = scenario.project.metrics("skl2sql_monitor_performance")
    log = scenario.project.query(f"SELECT * FROM {scenario.project.table_name('predict_plan_log')}")
    truth = pd.concat(scenario.batches.values()).set_index("customer_id").plan
    classes = ["basic", "pro", "team"]
    log = log[log.prediction.notna()]  # rows with a NULL input have no prediction and are left out
    for week in ("w1", "w3"):  # w2 has the plan 'enterprise', which no model class can match
        rows = log[log.batch == week]
        y = truth.loc[rows.customer_id].to_numpy()
        proba = rows[[f"probability_{c}" for c in classes]].to_numpy(float)
        assert abs(_value(perf, "plan", week, None, "labelled_rows") - len(rows)) < EXACT
        assert abs(_value(perf, "plan", week, None, "accuracy") - accuracy_score(y, rows.prediction)) < EXACT
        assert abs(_value(perf, "plan", week, None, "log_loss") - log_loss(y, proba, labels=classes)) < EXACT
        assert abs(_value(perf, "plan", week, None, "brier") - brier_score_loss(y, proba, labels=classes)) < EXACT
    w2 = log[log.batch == "w2"]
    assert abs(_value(perf, "plan", "w2", None, "accuracy") - accuracy_score(truth.loc[w2.customer_id], w2.prediction)) < EXACT
    pdrift = scenario.project.metrics("skl2sql_monitor_prediction_drift")
    assert set(pdrift[pdrift.model_name == "plan"].feature) == {"probability_basic", "probability_pro", "probability_team", "prediction"}
