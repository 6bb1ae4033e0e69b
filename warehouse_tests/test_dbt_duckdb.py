"""The dbt package end to end on DuckDB: `skl2sql dbt add` writes models into a fresh copy of
dbt_project/, dbt builds it in-process (seeds, predict views, incremental logs, registry, dbt's
own tests), and every prediction read back from the DuckDB file equals scikit-learn's.

One project is built once per module (dbt runs are slow); the tests check its snapshots.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pytest
from dbt_harness import Scenario, assert_matches, fresh_project, restore_env, run_dbt, select_all, set_env


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    project = fresh_project(tmp_path_factory.mktemp("dbt") / "project")
    db = project / "skl2sql.duckdb"
    old = set_env({"SKL2SQL_DUCKDB_PATH": str(db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})

    def query(table: str) -> dict[str, np.ndarray]:
        con = duckdb.connect(str(db), read_only=True)
        try:
            return con.execute(select_all(table, None, "duckdb")).fetchnumpy()
        finally:
            con.close()

    s = Scenario(project, "duckdb", query)
    try:
        s.run()
        yield s
    finally:
        restore_env(old)


def test_predictions_match_sklearn(scenario: Scenario) -> None:
    s = scenario
    outputs = ["prediction", "probability_0", "probability_1"]
    assert_matches(s.snapshots["b1:predict_churn"], s.churn, s.X, "customer_id", outputs)
    assert_matches(s.snapshots["b2:predict_churn"], s.churn, s.X, "customer_id", outputs)
    assert len(s.snapshots["b2:predict_churn"]["customer_id"]) == len(s.X)


def test_model_as_data_matches_sklearn(scenario: Scenario) -> None:
    s = scenario
    assert_matches(s.snapshots["b1:predict_churn_data"], s.churn, s.X, "customer_id",
                   ["prediction", "probability_0", "probability_1"])
    assert_matches(s.snapshots["b1:predict_iris"], s.iris, s.Xi, "flower_id",
                   ["prediction", "probability_0", "probability_1", "probability_2"])


def test_tree_models_as_data_match_sklearn(scenario: Scenario) -> None:
    """Forests and HistGradientBoosting (with NULLs and rows at split thresholds) and gradient
    boosting stored as node rows."""
    s = scenario
    iris3 = ["prediction", "probability_0", "probability_1", "probability_2"]
    assert_matches(s.snapshots["b1:predict_forest_data"], s.forest, s.Xg, "flower_id", iris3)
    assert_matches(s.snapshots["b1:predict_forest_reg_data"], s.forest_reg, s.Xg, "flower_id", ["prediction"])
    assert_matches(s.snapshots["b1:predict_gb_data"], s.gb, s.X, "customer_id", ["prediction", "probability_0", "probability_1"])
    assert_matches(s.snapshots["b1:predict_gb_multi_data"], s.gb_multi, s.Xi, "flower_id", iris3)
    assert_matches(s.snapshots["b1:predict_gb_reg_data"], s.gb_reg, s.X, "customer_id", ["prediction"])
    assert_matches(s.snapshots["b1:predict_hgb_data"], s.hgb, s.Xg, "flower_id", ["prediction", "probability_False", "probability_True"])
    assert_matches(s.snapshots["b1:predict_hgb_poisson_data"], s.hgb_poisson, s.Xg, "flower_id", ["prediction"])
    assert_matches(s.snapshots["b1:predict_xgb_data"], s.xgb, s.Xg, "flower_id", iris3, tol=1e-5)
    assert_matches(s.snapshots["b1:predict_lgbm_data"], s.lgbm, s.Xg, "flower_id", ["prediction", "probability_False", "probability_True"])
    assert len(s.snapshots["b1:predict_forest_data"]["flower_id"]) == len(s.Xg)


def test_stored_nan_is_missing(scenario: Scenario) -> None:
    """Over a view whose missing cells are NaN (not NULL), the compiled model and the tree models
    stored as data route them as missing values, as scikit-learn does."""
    s = scenario
    rows = s.query("stg_flowers_nan")
    assert np.isnan(np.asarray(rows["sepal_length"], dtype=np.float64)).sum() == s.Xg["sepal_length"].isna().sum() > 0
    iris3 = ["prediction", "probability_0", "probability_1", "probability_2"]
    binary = ["prediction", "probability_False", "probability_True"]
    assert_matches(s.snapshots["b1:predict_forest_nan_data"], s.forest, s.Xg, "flower_id", iris3)
    assert_matches(s.snapshots["b1:predict_hgb_nan_data"], s.hgb, s.Xg, "flower_id", binary)
    assert_matches(s.snapshots["b1:predict_hgb_nan"], s.hgb, s.Xg, "flower_id", binary)


def test_infinity_gives_null_outputs(scenario: Scenario) -> None:
    """scikit-learn refuses a row holding an infinity; the compiled model and the linear model
    stored as data give NULL outputs for it, and score every other row exactly."""
    s = scenario
    iris3 = ["prediction", "probability_0", "probability_1", "probability_2"]
    for table in ("predict_iris_inf_data", "predict_iris_inf"):
        rows = s.snapshots[f"b1:{table}"]
        ids = np.asarray(rows["flower_id"], dtype=np.int64)
        bad = (ids % 7 == 0) | (ids % 11 == 3)
        assert bad.sum() > 20
        for o in iris3:
            masked = np.ma.getmaskarray(rows[o])  # DuckDB returns NULLs masked, PostgreSQL as None/NaN
            values = np.asarray(rows[o], dtype=object)
            null = [m or v is None or (isinstance(v, float) and np.isnan(v)) for m, v in zip(masked, values, strict=True)]
            assert all(np.asarray(null)[bad]), (table, o)
        finite = {k: np.asarray(v)[~bad] for k, v in rows.items()}
        assert_matches(finite, s.iris, s.Xi, "flower_id", iris3)


def test_splits_at_infinity_take_infinity_as_a_value(scenario: Scenario) -> None:
    """HistGradientBoosting and LightGBM fitted on data with NaN split at +inf ("every number
    left"); they take an input of ±infinity as a value. Compiled and stored as data, both score
    the rows of stg_flowers_inf exactly as the libraries do, infinities included."""
    from skl2sql.dbt import tree_nodes

    s = scenario
    iris3 = ["prediction", "probability_0", "probability_1", "probability_2"]
    for model, name in ((s.hgb_inf, "hgb_inf"), (s.lgbm_inf, "lgbm_inf")):
        assert any(r[4] is not None and r[4] > 1e308 for r in tree_nodes(model).nodes), name
        for table in (f"predict_{name}", f"predict_{name}_data"):
            rows = s.snapshots[f"b1:{table}"]
            assert len(rows["flower_id"]) == len(s.Xinf) and np.isinf(s.Xinf.to_numpy()).sum() > 20
            assert_matches(rows, model, s.Xinf, "flower_id", iris3)


def test_large_ensemble_view_filters_and_table_batches(scenario: Scenario) -> None:
    """A 60-tree forest: the predict view is written without DuckDB's materialized stages (a
    filter on the view reaches the scan), the incremental log with them (faster over a whole
    table); both give scikit-learn's probabilities exactly."""
    s = scenario
    outputs = ["prediction", "probability_0", "probability_1"]
    for table in ("predict_big_forest", "predict_big_forest_log"):
        assert_matches(s.snapshots[f"b1:{table}"], s.big_forest, s.X, "customer_id", outputs)
        assert len(s.snapshots[f"b1:{table}"]["customer_id"]) == 300

    def compiled(model: str) -> str:
        (path,) = list(s.project.glob(f"target/compiled/**/{model}.sql"))
        return path.read_text()

    assert "MATERIALIZED" not in compiled("predict_big_forest").upper()
    assert "AS MATERIALIZED" in compiled("predict_big_forest_log")
    macro = next(s.project.glob("macros/skl2sql/big_forest/score_big_forest__v*.sql")).read_text()
    assert "{%- if batch -%}" in macro


def test_log_appends_only_new_rows(scenario: Scenario) -> None:
    s = scenario
    first, second = s.snapshots["b1:predict_churn_log"], s.snapshots["b2:predict_churn_log"]
    assert len(first["customer_id"]) == 300
    assert len(second["customer_id"]) == len(s.X)
    assert set(first["model_version"]) == {s.versions["churn_v1"]}
    # rows of batch 1 were not rescored: same scored_at, batch value from the batch column
    scored_at_1 = dict(zip(first["customer_id"].tolist(), first["scored_at"].tolist(), strict=True))
    for cid, at, batch in zip(second["customer_id"].tolist(), second["scored_at"].tolist(), second["batch"].tolist(), strict=True):
        if cid < 300:
            assert at == scored_at_1[cid] and batch == "b1"
        else:
            assert batch == "b2"
    assert_matches(second, s.churn, s.X, "customer_id", ["prediction", "probability_0", "probability_1"])


def test_new_version_scored_beside_old(scenario: Scenario) -> None:
    s = scenario
    v1, v2 = s.versions["churn_v1"], s.versions["churn_v2"]
    assert v1 != v2
    log = s.snapshots["v2:predict_churn_log"]
    versions = np.asarray(log["model_version"], dtype=object)
    assert (versions == v1).sum() == len(s.X) and (versions == v2).sum() == len(s.X)
    new = {k: np.asarray(v)[versions == v2] for k, v in log.items()}
    outputs = ["prediction", "probability_0", "probability_1"]
    assert_matches(new, s.churn_v2, s.X, "customer_id", outputs)
    assert_matches(s.snapshots["v2:predict_churn"], s.churn_v2, s.X, "customer_id", outputs)
    # pinning the old version through vars brings its predictions back
    assert_matches(s.snapshots["pinned:predict_churn"], s.churn, s.X, "customer_id", outputs)


def test_registry_lists_every_version(scenario: Scenario) -> None:
    s = scenario
    reg = s.snapshots["v2:skl2sql_models"]
    rows = {(n, v): bool(a) for n, v, a in zip(reg["model_name"], reg["model_version"], reg["is_active"], strict=True)}
    assert rows[("churn", s.versions["churn_v1"])] is False
    assert rows[("churn", s.versions["churn_v2"])] is True
    assert rows[("iris", s.versions["iris"])] is True
    assert rows[("churn_data", s.versions["churn_data"])] is True
    first = s.snapshots["b1:skl2sql_models"]
    i = list(first["model_name"]).index("churn")
    assert "train_accuracy" in first["training_metrics"][i]
    assert "scikit-learn" in first["library_versions"][i]
    assert first["batch_column"][i] == "batch_id"


def test_uncompiled_target_is_a_clear_error(tmp_path: Path) -> None:
    """A model compiled only for Snowflake fails to compile on DuckDB, naming the fix."""
    from dbt_harness import customer_table, customers, write_seed
    from sklearn.linear_model import LinearRegression

    from skl2sql.dbt import add_model

    project = fresh_project(tmp_path / "project")
    X, y = customers()
    write_seed(project, "customers", customer_table(X, range(20), ["b1"] * 20))
    add_model(LinearRegression().fit(X, y), name="sf_only", project=project, input="stg_customers",
              keep=["customer_id"], dialects=["snowflake"])
    old = set_env({"SKL2SQL_DUCKDB_PATH": str(project / "skl2sql.duckdb"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
    try:
        assert run_dbt(project, "deps").success
        res = run_dbt(project, "compile", "--select", "predict_sf_only")
    finally:
        restore_env(old)
    assert not res.success
    text = str(res.exception) + " ".join(str(getattr(r, "message", "")) for r in (res.result or []) if res.result)
    assert "not compiled for dbt target type 'duckdb'" in text, text


def test_a_project_with_no_model_yet_builds(tmp_path: Path) -> None:
    """`dbt build` right after installing the package (no `skl2sql dbt add` yet) succeeds: the
    package refs no seed that only `dbt add` creates."""
    project = fresh_project(tmp_path / "project")
    old = set_env({"SKL2SQL_DUCKDB_PATH": str(project / "skl2sql.duckdb"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
    try:
        assert run_dbt(project, "deps").success
        res = run_dbt(project, "build")
    finally:
        restore_env(old)
    assert res.success, res.exception


def test_multioutput_model_builds_and_labels_for_it_are_a_clear_error(tmp_path: Path) -> None:
    """A model with two targets: `dbt build` scores `prediction_0` and `prediction_1` equal to
    sklearn's and profiles both in the baseline; labels configured for it stop the performance
    model with an error naming the model and its task, rather than computing nonsense."""
    from dbt_harness import customer_table, customers, write_seed
    from sklearn.linear_model import LinearRegression
    from sklearn.multioutput import MultiOutputRegressor

    from skl2sql.dbt import add_model

    project = fresh_project(tmp_path / "project")
    db = project / "skl2sql.duckdb"
    X, y = customers()
    targets = np.c_[y, X.iloc[:, 0] * 2.0]
    model = MultiOutputRegressor(LinearRegression()).fit(X, targets)
    write_seed(project, "customers", customer_table(X, range(40), ["b1"] * 40))
    add_model(model, name="multi", project=project, input="stg_customers", keep=["customer_id"],
              dialects=["duckdb"], training_data=X, batch_column="batch_id")
    old = set_env({"SKL2SQL_DUCKDB_PATH": str(db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
    try:
        assert run_dbt(project, "deps").success
        built = run_dbt(project, "build")
        assert built.success, built.exception
        con = duckdb.connect(str(db), read_only=True)
        try:
            got = con.execute(select_all("predict_multi", None, "duckdb")).fetchnumpy()
            profiled = con.execute(
                "select distinct feature from skl2sql_baseline_multi where role = 'prediction' order by 1"
            ).fetchall()
        finally:
            con.close()
        labelled = run_dbt(project, "build", "--select", "skl2sql_monitor_performance",
                           vars_yaml="{skl2sql_labels: {multi: {relation: stg_customers, label_column: radius, key: [customer_id]}}}")
    finally:
        restore_env(old)
    order = np.argsort(got["customer_id"])
    want = model.predict(X.iloc[:40])
    for i in range(2):
        np.testing.assert_allclose(np.asarray(got[f"prediction_{i}"], dtype=float)[order], want[:, i], rtol=1e-9, atol=1e-9)
    assert profiled == [("prediction_0",), ("prediction_1",)]
    assert not labelled.success
    text = str(labelled.exception) + " ".join(str(getattr(r, "message", "")) for r in (labelled.result or []) if labelled.result)
    assert "multi" in text and "multioutput" in text and "no label metrics" in text, text
