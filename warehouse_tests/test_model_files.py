"""Damaged model files give ModelLoadError in one line, never a crash, a traceback or a wrong model.

Found by cutting files at random points: a truncated LightGBM text made LightGBM's C++ loader
abort the Python process ("terminate called without an active exception"), a LightGBM text cut in
its parameters and a truncated XGBoost ``.ubj`` segfaulted, and XGBoost's errors carried a
twelve-line stack trace. Every format is cut at several points and corrupted in the middle; each
file either loads to the very same model (the SQL compiled from it equals the original's) or is
refused with a :class:`ModelLoadError`.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import skl2sql
from skl2sql import ModelLoadError
from skl2sql.loading import load_model

FEATURES = ["a", "b", "c"]
CUTS = (0.0, 0.5, 0.97, 0.995)


@pytest.fixture(scope="module")
def originals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    import joblib
    import lightgbm as lgb
    import skops.io as sio
    import xgboost as xgb

    d = tmp_path_factory.mktemp("models")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = (X[:, 0] + rng.normal(0, 0.3, 300) > 0).astype(int)
    lgb.train({"objective": "binary", "verbose": -1, "num_leaves": 7}, lgb.Dataset(X, y), 12).save_model(str(d / "m.txt"))
    booster = xgb.XGBClassifier(n_estimators=8, max_depth=3).fit(X, y).get_booster()
    booster.save_model(str(d / "m.json"))
    booster.save_model(str(d / "m.ubj"))
    model = LogisticRegression().fit(X, y)
    sio.dump(model, d / "m.skops")
    joblib.dump(model, d / "m.joblib")
    return {p.suffix: p for p in d.iterdir()}


def _sql(path: Path) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return skl2sql.compile(load_model(path, warn_pickle=False), table="t", features=FEATURES).sql


@pytest.mark.parametrize("suffix", [".txt", ".json", ".ubj", ".skops", ".joblib"])
def test_truncated_and_corrupted_files_are_refused_or_load_the_same_model(
    originals: dict[str, Path], suffix: str, tmp_path: Path
) -> None:
    original = originals[suffix]
    data = original.read_bytes()
    want = _sql(original)
    damaged = {f"cut_{c}": data[: int(len(data) * c)] for c in CUTS}
    flipped = bytearray(data)
    for i in range(len(flipped) // 2, len(flipped) // 2 + 16):
        flipped[i] = (flipped[i] + 37) % 256
    damaged["corrupted"] = bytes(flipped)
    outcomes = {}
    for name, content in damaged.items():
        path = tmp_path / f"{name}{suffix}"
        path.write_bytes(content)
        try:
            got = _sql(path)
        except ModelLoadError as err:
            message = str(err)
            assert "\n" not in message and str(path) in message, message
            outcomes[name] = "refused"
            continue
        assert got == want, f"{name}: a damaged file loaded as another model"
        outcomes[name] = "same model"
    assert outcomes["cut_0.0"] == outcomes["cut_0.5"] == "refused", outcomes


def test_lightgbm_file_missing_a_tree_is_refused(originals: dict[str, Path], tmp_path: Path) -> None:
    """Cut between two trees with the closing lines kept: it would load as a smaller model."""
    text = originals[".txt"].read_text()
    start = text.index("Tree=3\n")
    end = text.index("Tree=4\n")
    path = tmp_path / "short.txt"
    path.write_text(text[:start] + text[end:])
    with pytest.raises(ModelLoadError, match="12 trees|11 trees"):
        load_model(path)


def test_the_command_line_prints_one_line_for_a_crashing_file(originals: dict[str, Path], tmp_path: Path) -> None:
    data = originals[".ubj"].read_bytes()
    path = tmp_path / "cut.ubj"
    path.write_bytes(data[: int(len(data) * 0.3)])
    done = subprocess.run([sys.executable, "-m", "skl2sql.cli", "compile", str(path), "-t", "t", "--features", "a,b,c"],
                          capture_output=True, text=True, timeout=300)
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert done.returncode == 2 and len(lines) == 1 and lines[0].startswith("skl2sql: error:"), done.stderr
