"""Read model files: skops (safe), joblib/pickle (runs code: warned), LightGBM text and XGBoost
JSON/UBJ boosters (plain data).

skops refuses to instantiate types it was not told to trust. We trust only types from the
libraries whose estimators skl2sql compiles (scikit-learn, NumPy, SciPy, LightGBM, XGBoost,
imbalanced-learn) and
report anything else by name instead of loading it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from .errors import ModelLoadError

__all__ = ["load_model", "PICKLE_WARNING", "TRUSTED_PREFIXES"]

PICKLE_WARNING = (
    "warning: {path} is a pickle; loading a pickle runs code from the file. Only load files you "
    "trust; prefer the safe .skops format (skops.io.dump)."
)

#: Module prefixes whose types a .skops file may contain.
TRUSTED_PREFIXES = (
    "sklearn.", "numpy.", "scipy.", "lightgbm.", "xgboost.", "imblearn.", "builtins.", "collections.",
)


def _load_skops(path: Path) -> Any:
    try:
        import skops.io as sio
    except ImportError as err:  # pragma: no cover - skops is a dependency
        raise ModelLoadError("reading .skops files needs the skops package") from err
    try:
        untrusted = sio.get_untrusted_types(file=str(path))
    except Exception as err:  # noqa: BLE001 - skops raises many types on corrupt input
        raise ModelLoadError(f"{path}: not a readable .skops file ({err})") from None
    refused = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
    if refused:
        raise ModelLoadError(f"{path}: refusing to load untrusted types {refused}")
    try:
        return sio.load(str(path), trusted=list(untrusted))
    except Exception as err:  # noqa: BLE001
        raise ModelLoadError(f"{path}: cannot load ({err})") from None


def _load_pickle(path: Path, warn: bool) -> Any:
    if warn:
        print(PICKLE_WARNING.format(path=path), file=sys.stderr)
    try:
        import joblib

        return joblib.load(path)
    except Exception as err:  # noqa: BLE001
        raise ModelLoadError(f"{path}: cannot load pickle ({type(err).__name__}: {err})") from None


def _load_lightgbm(path: Path) -> Any:
    try:
        import lightgbm as lgb
    except ImportError as err:
        raise ModelLoadError(f"{path}: reading LightGBM models needs lightgbm (pip install 'skl2sql[lightgbm]')") from err
    _check_lightgbm_text(path)
    _check_elsewhere(path, "LightGBM", "import lightgbm, sys; lightgbm.Booster(model_file=sys.argv[1])")
    try:
        return lgb.Booster(model_file=str(path))
    except Exception as err:  # noqa: BLE001
        raise ModelLoadError(f"{path}: not a LightGBM model file ({_one_line(err)})") from None


def _check_lightgbm_text(path: Path) -> None:
    """Refuse a LightGBM text model that is not whole before LightGBM reads it: a truncated file
    made LightGBM's C++ loader abort the whole process ("terminate called without an active
    exception"), and one cut between two trees would load as a smaller, wrong model. A whole
    file starts with ``tree``, lists ``tree_sizes=`` (one byte count per tree) and closes its
    trees with ``end of trees``; each ``Tree=<i>`` block must be there."""
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ModelLoadError(f"{path}: not a LightGBM model file ({type(err).__name__})") from None
    lines = text.splitlines()
    if not lines or lines[0].strip() != "tree":
        raise ModelLoadError(f"{path}: not a LightGBM model file (it does not start with 'tree')")
    if "end of trees" not in lines:
        raise ModelLoadError(f"{path}: LightGBM model file is truncated or corrupted (no 'end of trees' line)")
    sizes = next((ln.split("=", 1)[1].split() for ln in lines if ln.startswith("tree_sizes=")), None)
    trees = sum(1 for ln in lines if ln.startswith("Tree="))
    if sizes is not None and len(sizes) != trees:
        raise ModelLoadError(f"{path}: LightGBM model file is corrupted ({trees} trees where tree_sizes lists {len(sizes)})")


def _load_xgboost(path: Path) -> Any:
    try:
        import xgboost as xgb
    except ImportError as err:
        raise ModelLoadError(f"{path}: reading XGBoost models needs xgboost (pip install 'skl2sql[xgboost]')") from err
    _check_elsewhere(path, "XGBoost", "import xgboost, sys; xgboost.Booster().load_model(sys.argv[1])")
    booster = xgb.Booster()
    try:
        booster.load_model(str(path))
    except Exception as err:  # noqa: BLE001
        raise ModelLoadError(f"{path}: not an XGBoost model file ({_one_line(err)})") from None
    return booster


def _one_line(err: BaseException | str) -> str:
    """The first line of a library's error that says something (XGBoost's carry a stack trace;
    the command line prints one line)."""
    for line in str(err).splitlines():
        line = line.strip()
        if line and not line.startswith(("Stack trace", "[bt]")):
            return line[:300]
    return type(err).__name__ if isinstance(err, BaseException) else "unknown error"


def _check_elsewhere(path: Path, library: str, code: str) -> None:
    """Load the file once in a child process first. LightGBM's and XGBoost's C++ loaders crash
    the whole process on some damaged files (a truncated LightGBM text aborted, a truncated
    XGBoost .ubj and a LightGBM text cut in its parameters segfaulted): that must be a
    :class:`ModelLoadError`, not a dead interpreter. Costs one process start (~1 s)."""
    try:
        done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise ModelLoadError(f"{path}: could not check the {library} model file ({type(err).__name__})") from None
    if done.returncode == 0:
        return
    if done.returncode < 0:
        why = f"{library} crashed reading it (signal {-done.returncode})"
    else:
        raised = [ln for ln in done.stderr.splitlines() if re.match(r"^[\w.]*(Error|Exception)\b", ln)]
        why = _one_line(raised[-1].split(": ", 1)[-1]) if raised else f"{library} could not read it"
    raise ModelLoadError(f"{path}: not a readable {library} model file, truncated or corrupted ({why})")


def load_model(path: str | Path, warn_pickle: bool = True) -> Any:
    """Load a model file by extension: ``.skops``, ``.joblib``/``.pkl``/``.pickle``, LightGBM
    ``.txt``, XGBoost ``.json``/``.ubj``."""
    p = Path(path)
    if not p.is_file():
        raise ModelLoadError(f"{p}: no such file")
    suffix = p.suffix.lower()
    if suffix == ".skops":
        return _load_skops(p)
    if suffix in (".joblib", ".pkl", ".pickle"):
        return _load_pickle(p, warn_pickle)
    if suffix == ".txt":
        return _load_lightgbm(p)
    if suffix in (".json", ".ubj"):
        return _load_xgboost(p)
    raise ModelLoadError(
        f"{p}: unknown model format {suffix!r}; use .skops, .joblib/.pkl, LightGBM .txt or XGBoost .json/.ubj"
    )
