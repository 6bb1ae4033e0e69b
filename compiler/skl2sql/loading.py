"""Read model files: skops (safe), joblib/pickle (runs code: warned), LightGBM text and XGBoost
JSON/UBJ boosters (plain data).

skops refuses to instantiate types it was not told to trust. We trust only types from the
libraries whose estimators skl2sql compiles (scikit-learn, NumPy, SciPy, LightGBM, XGBoost,
imbalanced-learn) and
report anything else by name instead of loading it.
"""

from __future__ import annotations

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
    try:
        return lgb.Booster(model_file=str(path))
    except Exception as err:  # noqa: BLE001
        raise ModelLoadError(f"{path}: not a LightGBM model file ({err})") from None


def _load_xgboost(path: Path) -> Any:
    try:
        import xgboost as xgb
    except ImportError as err:
        raise ModelLoadError(f"{path}: reading XGBoost models needs xgboost (pip install 'skl2sql[xgboost]')") from err
    booster = xgb.Booster()
    try:
        booster.load_model(str(path))
    except Exception as err:  # noqa: BLE001
        raise ModelLoadError(f"{path}: not an XGBoost model file ({err})") from None
    return booster


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
