"""The command line: ``skl2sql compile | dialects | estimators``.

Run in-process through ``skl2sql.cli.main`` (fast, capsys), and once through the installed console
script to prove the entry point works. The SQL the CLI prints is executed on DuckDB and compared
with scikit-learn, so the tests check what users get, not just that something was printed. Errors
must be one line on stderr, no traceback, exit status 2.
"""

from __future__ import annotations

import fractions
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import joblib
import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import datasets
import skl2sql
from skl2sql.cli import main

SCRIPT = Path(sys.executable).parent / "skl2sql"


@pytest.fixture(scope="module")
def model_and_data() -> tuple[Any, pd.DataFrame]:
    X, y = datasets.breast_cancer()
    X = X.iloc[:, :6]
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(X, y), X


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, model_and_data: tuple[Any, pd.DataFrame]) -> dict[str, Path]:
    model, _ = model_and_data
    d = tmp_path_factory.mktemp("models")
    out = {"skops": d / "model.skops", "joblib": d / "model.joblib"}
    sio.dump(model, out["skops"])
    joblib.dump(model, out["joblib"])
    arr = LinearRegression().fit(np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 3.0], [1.0, 1.0]]), [1.0, 2.0, 4.0, 0.5])
    out["array"] = d / "array.skops"
    sio.dump(arr, out["array"])
    knn = KNeighborsClassifier(n_neighbors=1).fit([[0.0], [1.0]], [0, 1])
    out["knn"] = d / "knn.skops"
    sio.dump(knn, out["knn"])
    out["unknown_ext"] = d / "model.onnx"
    out["unknown_ext"].write_bytes(b"not a model")
    from test_errors import _quantile_chain

    out["qchain"] = d / "qchain.skops"
    sio.dump(_quantile_chain(), out["qchain"])
    out["untrusted"] = d / "untrusted.skops"
    sio.dump({"model": model, "extra": fractions.Fraction(1, 3)}, out["untrusted"])
    return out


def _duckdb_with(X: pd.DataFrame) -> Any:
    con = duckdb.connect()
    frame = X.reset_index(drop=True).assign(id=np.arange(len(X)))
    con.register("frame_view", frame)
    con.execute("CREATE TABLE customers AS SELECT * FROM frame_view")
    con.unregister("frame_view")
    return con


def _check_scores(sql: str, model: Any, X: pd.DataFrame) -> None:
    con = _duckdb_with(X)
    got = con.execute(f"SELECT * FROM ({sql}) ORDER BY id").df()
    con.close()
    assert list(got.columns)[:2] == ["id", "prediction"]
    np.testing.assert_array_equal(got["prediction"].to_numpy(), model.predict(X))
    np.testing.assert_allclose(got["probability_1"].to_numpy(), model.predict_proba(X)[:, 1], rtol=1e-12, atol=1e-15)


def _one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {lines}"
    assert "Traceback" not in err
    assert lines[0].startswith("skl2sql: error: ")
    return lines[0]


def test_compile_skops_runs_on_duckdb(files: dict[str, Path], model_and_data: tuple[Any, pd.DataFrame],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    model, X = model_and_data
    assert main(["compile", str(files["skops"]), "-d", "duckdb", "-t", "customers", "--keep", "id"]) == 0
    out, err = capsys.readouterr()
    assert err == "", "loading a .skops file is safe: no warning"
    _check_scores(out.strip(), model, X)


def test_compile_joblib_warns_on_stderr(files: dict[str, Path], model_and_data: tuple[Any, pd.DataFrame],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    model, X = model_and_data
    assert main(["compile", str(files["joblib"]), "-t", "customers", "-k", "id"]) == 0
    out, err = capsys.readouterr()
    assert "pickle" in err and "runs code" in err and str(files["joblib"]) in err
    assert "warning" not in out.lower()
    _check_scores(out.strip(), model, X)


def test_compile_to_file(files: dict[str, Path], model_and_data: tuple[Any, pd.DataFrame], tmp_path: Path,
                         capsys: pytest.CaptureFixture[str]) -> None:
    model, X = model_and_data
    target = tmp_path / "score.sql"
    assert main(["compile", str(files["skops"]), "-t", "customers", "--keep", "id", "-o", str(target), "--pretty"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert str(target) in err and "duckdb" in err
    sql = target.read_text(encoding="utf-8")
    assert "\n" in sql.strip(), "--pretty spreads the SQL over lines"
    _check_scores(sql, model, X)


def test_keep_repeatable(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compile", str(files["skops"]), "-t", "t", "-k", "id", "--keep", "region"]) == 0
    sql = capsys.readouterr().out
    assert sql.startswith('SELECT "id", "region", ') or 'SELECT "id", "region", ' in sql


def test_features_for_array_model(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compile", str(files["array"]), "-t", "points", "--features", "u, v", "-k", "id"]) == 0
    sql = capsys.readouterr().out
    con = duckdb.connect()
    con.execute("CREATE TABLE points AS SELECT * FROM (VALUES (1, 0.5, 2.0), (2, -1.0, 3.0)) AS t(id, u, v)")
    got = [r[1] for r in con.execute(f"SELECT * FROM ({sql}) ORDER BY id").fetchall()]
    model = sio.load(files["array"], trusted=sio.get_untrusted_types(file=files["array"]))
    np.testing.assert_allclose(got, model.predict(np.array([[0.5, 2.0], [-1.0, 3.0]])), rtol=1e-12)


def test_array_model_without_features_is_an_error(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compile", str(files["array"]), "-t", "points"]) == 2
    line = _one_line_error(capsys.readouterr().err)
    assert "features" in line


def test_expressions(files: dict[str, Path], model_and_data: tuple[Any, pd.DataFrame],
                     capsys: pytest.CaptureFixture[str]) -> None:
    model, X = model_and_data
    assert main(["compile", str(files["skops"]), "-t", "customers", "--expressions"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    exprs = dict(line.split(": ", 1) for line in lines)
    assert list(exprs) == ["prediction", "probability_0", "probability_1"]
    con = _duckdb_with(X)
    got = con.execute(f"SELECT {exprs['probability_1']} AS p FROM customers ORDER BY id").fetchnumpy()["p"]
    con.close()
    np.testing.assert_allclose(got, model.predict_proba(X)[:, 1], rtol=1e-12, atol=1e-15)


def test_dialects(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dialects"]) == 0
    listed = capsys.readouterr().out.split()
    assert listed == skl2sql.available_dialects()
    assert {"duckdb", "postgres", "snowflake", "bigquery", "tsql", "sqlite"} <= set(listed)


def test_estimators(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["estimators"]) == 0
    listed = capsys.readouterr().out.split()
    assert listed == skl2sql.supported_classes()
    assert {"sklearn.linear_model.LogisticRegression", "sklearn.pipeline.Pipeline", "lightgbm.sklearn.LGBMClassifier"} <= set(listed)
    # one line per class: libraries' classes of the same name are told apart
    assert {"sklearn.preprocessing.OneHotEncoder", "feature_engine.encoding.one_hot.OneHotEncoder"} <= set(listed)
    assert {p.rsplit(".", 1)[1] for p in listed} == set(skl2sql.supported_estimators())


@pytest.mark.parametrize(
    ("case", "argv", "needle"),
    [
        ("unknown dialect", ["compile", "{skops}", "-t", "t", "-d", "nosuchdb"], "nosuchdb"),
        ("missing file", ["compile", "{missing}", "-t", "t"], "no such file"),
        ("unknown extension", ["compile", "{unknown_ext}", "-t", "t"], "unknown model format"),
        ("unsupported estimator", ["compile", "{knn}", "-t", "t", "-f", "x"], "KNeighborsClassifier"),
        ("untrusted type", ["compile", "{untrusted}", "-t", "t"], "untrusted"),
        ("keep clash", ["compile", "{skops}", "-t", "t", "-k", "prediction"], "clash"),
        ("expressions too large", ["compile", "{qchain}", "-t", "t", "--expressions"], "bare expressions"),
    ],
)
def test_errors_are_one_line_exit_2(case: str, argv: list[str], needle: str, files: dict[str, Path],
                                     tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = {k: str(v) for k, v in files.items()} | {"missing": str(tmp_path / "nope.skops")}
    assert main([a.format(**paths) for a in argv]) == 2, case
    out, err = capsys.readouterr()
    assert out == ""
    assert needle in _one_line_error(err)


def test_untrusted_type_is_named(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """The refused type is named, so the user knows what is in the file."""
    assert main(["compile", str(files["untrusted"]), "-t", "t"]) == 2
    assert "fractions.Fraction" in _one_line_error(capsys.readouterr().err)


def test_console_script(files: dict[str, Path], model_and_data: tuple[Any, pd.DataFrame]) -> None:
    """The installed entry point works: success prints SQL, an error is one line with status 2."""
    model, X = model_and_data
    assert SCRIPT.is_file(), f"console script not installed at {SCRIPT}"
    ok = subprocess.run([str(SCRIPT), "compile", str(files["skops"]), "-t", "customers", "-k", "id"],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    _check_scores(ok.stdout.strip(), model, X)
    bad = subprocess.run([str(SCRIPT), "compile", str(files["skops"]), "-t", "t", "-d", "nosuchdb"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert "nosuchdb" in _one_line_error(bad.stderr)
