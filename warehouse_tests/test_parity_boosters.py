"""Parity of LightGBM and XGBoost models (sklearn wrappers, raw boosters, model files) on every
engine.

Scoring frames carry, beside the dataset rows, probe rows placed exactly at real split thresholds
of the fitted model and one double ulp and one float32 ulp either side, values at and around
LightGBM's zero threshold (1e-35), and a NULL in every feature (plus an all-NULL row).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import datasets
from engines import FACTORIES, Engine
from parity import check_parity
from skl2sql.errors import UnsupportedEstimatorError

lgb = pytest.importorskip("lightgbm")

from skl2sql.assemblers.libraries.lightgbm_models import K_ZERO_THRESHOLD  # noqa: E402
from skl2sql.assemblers.model_files.lightgbm_text import parse_model_text  # noqa: E402

# ------------------------------------------------------------------------------------------------
# Probe rows
# ------------------------------------------------------------------------------------------------


def _neighbours(t: float) -> list[float]:
    """t, one double ulp either side, and the float32 values around t."""
    out = [t, float(np.nextafter(t, -np.inf)), float(np.nextafter(t, np.inf))]
    if np.isfinite(t) and abs(t) < 3e38:
        t32 = np.float32(t)
        out += [float(t32), float(np.nextafter(t32, np.float32(-np.inf))), float(np.nextafter(t32, np.float32(np.inf)))]
    return out


def probe_frame(
    X: pd.DataFrame, splits: Sequence[tuple[str, float]], seed: int = 0, max_splits: int = 25
) -> pd.DataFrame:
    """X plus rows at/around each (column, threshold), tiny and zero values, and NULLs."""
    rng = np.random.default_rng(seed)
    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
    uniq = sorted(set(splits))
    if len(uniq) > max_splits:
        uniq = [uniq[i] for i in rng.choice(len(uniq), max_splits, replace=False)]
    rows: list[pd.DataFrame] = [X]

    def base() -> pd.DataFrame:
        return X.iloc[[int(rng.integers(len(X)))]].copy()

    for c, t in uniq:
        for v in _neighbours(t):
            r = base()
            r[c] = v
            rows.append(r)
    kz = K_ZERO_THRESHOLD
    for c in numeric:
        for v in (0.0, -0.0, kz, -kz, float(np.nextafter(kz, 1)), float(np.nextafter(-kz, -1)), 1e-36, -1e-36):
            r = base()
            r[c] = v
            rows.append(r)
    for c in X.columns:
        for _ in range(2):
            r = base()
            r[c] = np.nan if c in numeric else None
            rows.append(r)
    allnull = base()
    for c in X.columns:
        allnull[c] = np.nan if c in numeric else None
    rows.append(allnull)
    out = pd.concat(rows, ignore_index=True)
    for c in X.columns:
        if isinstance(X[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(X[c].dtype)
    return out


def lgb_splits(booster: Any, names: Sequence[str]) -> list[tuple[str, float]]:
    model = parse_model_text(booster.model_to_string())
    out = []
    for t in model.trees:
        for f, thr, dt in zip(t.split_feature, t.threshold, t.decision_type, strict=True):
            if not dt & 1:
                out.append((names[f], thr))
    return out


class LgbBoosterRef:
    """sklearn-style methods of a raw LightGBM booster, as LGBMClassifier/Regressor give them."""

    def __init__(self, booster: Any) -> None:
        self.booster = booster
        obj = booster.params.get("objective", "") or parse_model_text(booster.model_to_string()).objective
        self.classification = obj in ("binary", "multiclass", "multiclassova", "softmax", "multiclass_ova", "ova")

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = np.asarray(self.booster.predict(X))
        return np.vstack((1.0 - p, p)).T if p.ndim == 1 else p

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        if self.classification:
            return np.argmax(self.predict_proba(X), axis=1)
        return np.asarray(self.booster.predict(X))


# ------------------------------------------------------------------------------------------------
# LightGBM cases
# ------------------------------------------------------------------------------------------------


def _mixed_categorical() -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """datasets.mixed with category dtype columns; LightGBM refuses '"' in names, so that one
    column is renamed (the others stay hostile: spaces, unicode, keywords)."""
    train, score, yc, yr = datasets.mixed()
    ren = {c: c.replace('"', "") for c in train.columns}
    train, score = train.rename(columns=ren), score.rename(columns=ren)
    for c in ("colour", datasets.HOSTILE_NUMERIC[3]):
        cats = pd.CategoricalDtype(sorted(train[c].unique()))
        train[c] = train[c].astype(cats)
        # Unseen values are appended as extra categories: the table holds them as strings, and
        # LightGBM's re-coding to the training categories makes them NaN (both go right).
        unseen = sorted(set(score[c].dropna()) - set(cats.categories))
        score[c] = score[c].astype(pd.CategoricalDtype([*cats.categories, *unseen]))
    return train, score, yc, yr


Case = tuple[Any, pd.DataFrame, dict[str, Any]]


def _lgb_fit(est: Any, data: str, **fit: Any) -> Case:
    X, y = getattr(datasets, data)()
    est.fit(X, y, **fit)
    return est, probe_frame(X, lgb_splits(est.booster_, list(X.columns))), {"features": list(X.columns)}


def _lgb_regression(objective: str, **kw: Any) -> Callable[[], Case]:
    def make() -> Case:
        X, y = datasets.diabetes()
        yy = y / 100.0 if objective in ("poisson", "gamma", "tweedie") else y
        est = lgb.LGBMRegressor(n_estimators=20, objective=objective, verbose=-1, n_jobs=1, **kw).fit(X, yy)
        return est, probe_frame(X, lgb_splits(est.booster_, list(X.columns))), {}

    return make


def _lgb_missing() -> Case:
    """NaN and zeros in training, so nodes get missing types NaN and Zero (zero_as_missing)."""
    rng = np.random.default_rng(3)
    n = 600
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.choice([0.0, 1.0, -1.0, 2.5], n), "c": rng.normal(size=n)})
    X.loc[rng.choice(n, 80, replace=False), "a"] = np.nan
    X.loc[rng.choice(n, 60, replace=False), "c"] = 0.0
    y = np.where(X["a"].isna(), 2.0, X["a"].fillna(0)) + X["b"] * (X["c"] == 0) + rng.normal(size=n) * 0.1
    est = lgb.LGBMRegressor(n_estimators=20, zero_as_missing=True, min_child_samples=5, verbose=-1, n_jobs=1).fit(X, y)
    return est, probe_frame(X, lgb_splits(est.booster_, list(X.columns))), {}


def _lgb_no_missing() -> Case:
    """use_missing=False: missing type None everywhere, NaN (NULL) is scored as 0.0."""
    X, y = datasets.diabetes()
    est = lgb.LGBMRegressor(n_estimators=20, use_missing=False, verbose=-1, n_jobs=1).fit(X, y)
    return est, probe_frame(X, lgb_splits(est.booster_, list(X.columns))), {}


def _lgb_pandas_categorical() -> Case:
    train, score, yc, _ = _mixed_categorical()
    est = lgb.LGBMClassifier(n_estimators=20, min_child_samples=5, cat_smooth=1, min_data_per_group=5, verbose=-1, n_jobs=1)
    est.fit(train, yc)
    X = pd.concat([train, score], ignore_index=True)
    for c in ("colour", datasets.HOSTILE_NUMERIC[3]):
        X[c] = X[c].astype(score[c].dtype)
    assert {"purple", ""} <= set(X["colour"].dropna()) | set(X[datasets.HOSTILE_NUMERIC[3]].dropna())
    return est, probe_frame(X, lgb_splits(est.booster_, list(train.columns))), {"features": list(train.columns)}


def _lgb_code_categorical() -> Case:
    """categorical_feature= on integer codes (NumPy input): the SQL column holds the code; fractional,
    negative and huge codes go where LightGBM's int() truncation sends them."""
    rng = np.random.default_rng(5)
    n = 800
    code = rng.integers(0, 12, n).astype(float)
    x = rng.normal(size=n)
    y = (np.isin(code, [1, 2, 3, 7, 10]) * 2.0 + x + rng.normal(size=n) * 0.2 > 1).astype(int)
    X = np.column_stack([code, x])
    est = lgb.LGBMClassifier(n_estimators=25, min_child_samples=5, min_data_per_group=5, cat_smooth=1, verbose=-1, n_jobs=1)
    est.fit(X, y, categorical_feature=[0])
    probe = np.array([[v, 0.3] for v in (-1.0, -0.5, -0.0, 0.5, 0.999, 1.0, 2.5, 3.999, 7.0, 11.0, 12.0, 40.0, 1e12, np.nan)])
    frame = pd.DataFrame(np.vstack([X, probe]), columns=["code", "x"])
    return est, frame, {"features": ["code", "x"]}


def _lgb_early_stopping() -> Case:
    X, y = datasets.breast_cancer()
    est = lgb.LGBMClassifier(n_estimators=400, learning_rate=0.3, verbose=-1, n_jobs=1)
    est.fit(X, y, eval_X=(X.iloc[::3],), eval_y=(y[::3],), callbacks=[lgb.early_stopping(5, verbose=False)])
    assert 0 < est.best_iteration_ < 400
    return est, probe_frame(X, lgb_splits(est.booster_, list(X.columns))), {"features": list(X.columns)}


def _lgb_booster(objective: str) -> Callable[[], Case]:
    def make() -> Case:
        if objective == "binary":
            X, y = datasets.breast_cancer()
            params: dict[str, Any] = {"objective": "binary", "sigmoid": 0.7}
        elif objective == "multiclass":
            X, y = datasets.wine()
            params = {"objective": "multiclass", "num_class": 3}
        else:
            X, y = datasets.diabetes()
            params = {"objective": objective}
        X = X.rename(columns=lambda c: c.replace(" ", "_"))
        params.update(verbose=-1, num_threads=1, num_leaves=15)
        booster = lgb.train(params, lgb.Dataset(X, y), num_boost_round=20)
        return booster, probe_frame(X, lgb_splits(booster, list(X.columns))), {"reference": LgbBoosterRef(booster)}

    return make


def _lgb_rf() -> Case:
    X, y = datasets.diabetes()
    est = lgb.LGBMRegressor(boosting_type="rf", n_estimators=20, subsample=0.7, subsample_freq=1, verbose=-1, n_jobs=1).fit(X, y)
    return est, probe_frame(X, lgb_splits(est.booster_, list(X.columns))), {}


def _lgb_linear_tree(classifier: bool) -> Callable[[], Case]:
    """linear_tree=True: a linear model per leaf over the numeric features; NaN in training, so
    leaves fall back to their constant for rows with a NULL among the leaf's features."""

    def make() -> Case:
        X, y = (datasets.breast_cancer if classifier else datasets.diabetes)()
        X = X.iloc[:, :8].copy()
        rng = np.random.default_rng(11)
        for c in X.columns[:3]:
            X.loc[rng.choice(len(X), len(X) // 10, replace=False), c] = np.nan
        cls = lgb.LGBMClassifier if classifier else lgb.LGBMRegressor
        est = cls(linear_tree=True, n_estimators=25, num_leaves=8, linear_lambda=0.01, verbose=-1, n_jobs=1).fit(X, y)
        assert any(parse_model_text(est.booster_.model_to_string()).trees[1].leaf_linear[i][1] for i in range(8))
        return est, probe_frame(X, lgb_splits(est.booster_, list(X.columns))), {"features": list(X.columns)}

    return make


LGB_CASES: dict[str, Callable[[], Case]] = {
    "lgb_regression_diabetes": _lgb_regression("regression"),
    "lgb_quantile": _lgb_regression("quantile", alpha=0.8),
    "lgb_poisson": _lgb_regression("poisson"),
    "lgb_reg_sqrt": _lgb_regression("regression", reg_sqrt=True),
    "lgb_rf": _lgb_rf,
    "lgb_binary_breast_cancer": lambda: _lgb_fit(lgb.LGBMClassifier(n_estimators=25, verbose=-1, n_jobs=1), "breast_cancer"),
    "lgb_multiclass_iris": lambda: _lgb_fit(lgb.LGBMClassifier(n_estimators=15, verbose=-1, n_jobs=1), "iris_named_labels"),
    "lgb_multiclassova_wine": lambda: _lgb_fit(
        lgb.LGBMClassifier(n_estimators=15, objective="multiclassova", verbose=-1, n_jobs=1), "wine"
    ),
    "lgb_missing_zero_nan": _lgb_missing,
    "lgb_use_missing_false": _lgb_no_missing,
    "lgb_pandas_categorical": _lgb_pandas_categorical,
    "lgb_code_categorical": _lgb_code_categorical,
    "lgb_early_stopping": _lgb_early_stopping,
    "lgb_booster_binary": _lgb_booster("binary"),
    "lgb_booster_multiclass": _lgb_booster("multiclass"),
    # DART rescales dropped trees' leaves in place while training: the saved trees are summed as usual
    "lgb_dart_binary": lambda: _lgb_fit(
        lgb.LGBMClassifier(boosting_type="dart", n_estimators=30, drop_rate=0.3, verbose=-1, n_jobs=1), "breast_cancer"
    ),
    "lgb_linear_tree_regression": _lgb_linear_tree(classifier=False),
    "lgb_linear_tree_binary": _lgb_linear_tree(classifier=True),
    "lgb_dart_multiclass": lambda: _lgb_fit(
        lgb.LGBMClassifier(boosting_type="dart", n_estimators=20, drop_rate=0.3, verbose=-1, n_jobs=1), "wine"
    ),
}

#: Further objectives differ only in their link function: checked against the IR (no engine).
LGB_IR_CASES: dict[str, Callable[[], Case]] = {
    "lgb_l1": _lgb_regression("regression_l1"),
    "lgb_huber": _lgb_regression("huber"),
    "lgb_gamma": _lgb_regression("gamma"),
    "lgb_tweedie": _lgb_regression("tweedie"),
    "lgb_booster_regression": _lgb_booster("regression"),
    "lgb_multiclass_wine": lambda: _lgb_fit(lgb.LGBMClassifier(n_estimators=15, verbose=-1, n_jobs=1), "wine"),
}

_fitted: dict[str, Case] = {}


def fitted(cases: dict[str, Callable[[], Case]], name: str) -> Case:
    if name not in _fitted:
        _fitted[name] = cases[name]()
    return _fitted[name]


@pytest.mark.parametrize("case", sorted(LGB_CASES))
def test_lightgbm_parity(case: str, engine: Engine) -> None:
    est, X, kw = fitted(LGB_CASES, case)
    check_parity(est, X, engine, **kw)


@pytest.mark.parametrize("case", sorted(LGB_IR_CASES))
def test_lightgbm_objectives_ir(case: str) -> None:
    est, X, kw = fitted(LGB_IR_CASES, case)
    check_parity(est, X, None, **kw)


# -- LightGBM's zero threshold and missing types, on hand-written trees ---------------------------


def _crafted_lgb_text(nodes: Sequence[tuple[float, int]]) -> str:
    """A one-feature model: tree i splits at threshold t_i with decision_type d_i, left leaf 0 and
    right leaf 2**-i, so the prediction's bits say which way every tree went."""
    head = [
        "tree", "version=v4", "num_class=1", "num_tree_per_iteration=1", "label_index=0",
        "max_feature_idx=0", "objective=regression", "feature_names=x", "feature_infos=[-1:1]", "",
    ]
    trees = []
    for i, (t, d) in enumerate(nodes):
        trees += [
            f"Tree={i}", "num_leaves=2", "num_cat=0", "split_feature=0", "split_gain=1",
            f"threshold={t!r}", f"decision_type={d}", "left_child=-1", "right_child=-2",
            f"leaf_value=0 {2.0 ** -i!r}", "leaf_weight=1 1", "leaf_count=1 1", "internal_value=0",
            "internal_weight=2", "internal_count=2", "is_linear=0", "shrinkage=1", "", "",
        ]
    return "\n".join(head + trees + ["end of trees", "", "pandas_categorical:null", ""])


def _crafted_case() -> Case:
    kz = K_ZERO_THRESHOLD
    thresholds = [0.0, kz, -kz, 5e-36, -5e-36, 1.5, -1.5, float(np.nextafter(kz, 1)), float(np.nextafter(-kz, -1))]
    nodes = [(t, d) for t in thresholds for d in (0, 2, 4, 6, 8, 10)]
    booster = lgb.Booster(model_str=_crafted_lgb_text(nodes))
    values = sorted({v for t in thresholds for v in _neighbours(t)} | {1e-36, -1e-36, -0.0, 3.0, -3.0})
    X = pd.DataFrame({"x": [*values, np.nan]})
    return booster, X, {"reference": LgbBoosterRef(booster)}


def test_lightgbm_zero_threshold_and_missing_types(engine: Engine) -> None:
    booster, X, kw = fitted({"crafted": _crafted_case}, "crafted")
    check_parity(booster, X, engine, **kw)


def _crafted_linear_case() -> Case:
    """A hand-written linear tree whose leaves have constant 0, so the SQL's output is the linear
    part itself: values within LightGBM's zero threshold must read as exactly 0.0, a NULL among a
    leaf's features gives that leaf's ``leaf_value``, and a NULL only in the split feature does not."""
    head = [
        "tree", "version=v4", "num_class=1", "num_tree_per_iteration=1", "label_index=0",
        "max_feature_idx=1", "objective=regression", "feature_names=x y", "feature_infos=[-1:1] [-1:1]", "",
    ]
    trees = [
        "Tree=0", "num_leaves=2", "num_cat=0", "split_feature=1", "split_gain=1", "threshold=0.5",
        "decision_type=2", "left_child=-1", "right_child=-2", "leaf_value=0.25 0.5", "leaf_weight=1 1",
        "leaf_count=1 1", "internal_value=0", "internal_weight=2", "internal_count=2", "is_linear=1",
        "leaf_const=0 0", "num_features=1 2", "leaf_features=0  0 1  ", "leaf_coeff=1  1 -2  ",
        "shrinkage=1", "", "",
        "Tree=1", "num_leaves=1", "num_cat=0", "split_feature=", "split_gain=", "threshold=",
        "decision_type=", "left_child=", "right_child=", "leaf_value=0.125", "leaf_count=1", "is_linear=1", "leaf_const=0",
        "num_features=1", "leaf_features=1  ", "leaf_coeff=3  ", "shrinkage=1", "", "",
    ]
    booster = lgb.Booster(model_str="\n".join(head + trees + ["end of trees", "", "pandas_categorical:null", ""]))
    kz = K_ZERO_THRESHOLD
    xs = [1e-36, -1e-36, kz, -kz, float(np.nextafter(kz, 1)), 2e-35, -0.0, 0.3, np.nan]
    ys = [0.0, 0.1, 0.9, 0.5, float(np.nextafter(0.5, 1)), 1e-36, np.nan]
    X = pd.DataFrame([(x, y) for x in xs for y in ys], columns=["x", "y"])
    want = booster.predict(X)
    assert want[0] == 0.0  # x=1e-36 (y=0) is read as 0.0 by LightGBM
    return booster, X, {"reference": LgbBoosterRef(booster)}


def test_lightgbm_linear_tree_zero_threshold_and_nulls(engine: Engine) -> None:
    booster, X, kw = fitted({"crafted_linear": _crafted_linear_case}, "crafted_linear")
    check_parity(booster, X, engine, atol=0.0, rtol=0.0, **kw)  # exact: 1e-36 must read as 0.0


# -- refusals, files, CLI -------------------------------------------------------------------------


def test_lightgbm_unsupported_settings() -> None:
    import skl2sql

    X, y = datasets.diabetes()
    xe = lgb.LGBMRegressor(objective="cross_entropy_lambda", n_estimators=5, verbose=-1, n_jobs=1).fit(X, (y > 150).astype(float))
    with pytest.raises(UnsupportedEstimatorError, match="cross_entropy_lambda"):
        skl2sql.compile(xe, table="t")


def _run_cli_on_duckdb(args: list[str], X: pd.DataFrame, capsys: pytest.CaptureFixture[str]) -> dict[str, np.ndarray]:
    from skl2sql.cli import main

    engine = FACTORIES["duckdb"]()
    try:
        table = engine.new_table_name()
        assert main(["compile", *args, "--dialect", "duckdb", "--table", table, "--keep", "row_id"]) == 0
        sql = capsys.readouterr().out
        engine.create_table(table, {"row_id": list(range(len(X))), **{c: X[c].tolist() for c in X.columns}})
        got = engine.query(sql)
    finally:
        engine.close()
    order = np.argsort(got["row_id"])
    return {k: v[order] for k, v in got.items()}


def test_lightgbm_txt_file_and_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    booster, X, _ = fitted(LGB_CASES, "lgb_booster_multiclass")
    path = tmp_path / "model.txt"
    booster.save_model(str(path))
    got = _run_cli_on_duckdb([str(path)], X, capsys)
    want = booster.predict(X)
    for k in range(3):
        np.testing.assert_allclose(got[f"probability_{k}"], want[:, k], rtol=1e-9, atol=1e-9)
    assert (got["prediction"] == np.argmax(want, axis=1)).all()
    # renamed columns through --features
    names = [f"f{i}" for i in range(X.shape[1])]
    got2 = _run_cli_on_duckdb([str(path), "--features", ",".join(names)], X.set_axis(names, axis=1), capsys)
    np.testing.assert_allclose(got2["probability_0"], want[:, 0], rtol=1e-9, atol=1e-9)


def test_lightgbm_thousand_trees() -> None:
    """1,000 trees compile for every engine and run on DuckDB and SQLite without recursion errors;
    sums stay exact."""
    from conftest import get_engine

    import skl2sql

    X, y = datasets.diabetes()
    est = lgb.LGBMRegressor(n_estimators=1000, num_leaves=4, learning_rate=0.05, verbose=-1, n_jobs=1).fit(X, y)
    for dialect in ("postgres", "mysql"):
        assert skl2sql.compile(est, table="t", dialect=dialect).sql
    for name in ("duckdb", "sqlite"):
        check_parity(est, X.iloc[:40], get_engine(name))





# ------------------------------------------------------------------------------------------------
# XGBoost
# ------------------------------------------------------------------------------------------------
#
# XGBoost accumulates margins in float32; the SQL adds the same float32 leaf values in double. Two
# checks per model: (1) on every engine, against a float64 reference built from XGBoost's own leaf
# assignments (``pred_leaf=True``) and the model's float32 leaf values, within 1e-9: this proves
# every row reaches exactly XGBoost's leaves; (2) the IR against XGBoost's float32 predictions within
# XGB_ATOL/XGB_RTOL, labels identical.

#: float32 accumulation and links in XGBoost: measured up to 6e-7 relative on values, 1.2e-7 absolute
#: on probabilities (docs/boosters.md).
XGB_ATOL = 1e-5
XGB_RTOL = 1e-5

xgb = pytest.importorskip("xgboost")

from skl2sql.assemblers.libraries.xgboost_models import base_margins  # noqa: E402
from skl2sql.assemblers.model_files.xgboost_json import parse_model_json  # noqa: E402


def xgb_splits(booster: Any, names: Sequence[str]) -> list[tuple[str, float]]:
    model = parse_model_json(booster.save_raw("json"))
    return [
        (names[t.feature[n]], t.condition[n]) for t in model.trees for n in range(len(t.left)) if t.left[n] >= 0
    ]


class XgbExactRef:
    """Float64 predictions from XGBoost's leaf assignments: what exact SQL must return."""

    def __init__(self, booster: Any, classification: bool, n_iter: int | None = None) -> None:
        self.booster = booster
        self.model = parse_model_json(booster.save_raw("json"), n_iter)
        self.n_iter = n_iter
        self.classification = classification

    def margins(self, X: pd.DataFrame) -> np.ndarray:
        dm = xgb.DMatrix(X.to_numpy(dtype=np.float64), missing=np.nan, feature_names=self.booster.feature_names)
        rng = (0, self.n_iter) if self.n_iter else (0, 0)
        leaves = np.asarray(self.booster.predict(dm, pred_leaf=True, iteration_range=rng), dtype=int)
        leaves = leaves.reshape(len(X), -1)
        groups = max(self.model.num_class, 1) if self.model.objective.startswith("multi:") else 1
        out = np.tile(np.array(base_margins(self.model, groups)), (len(X), 1))
        for j, t in enumerate(self.model.trees):
            vals = np.array(t.condition)[leaves[:, j]]
            out[:, t.group] = out[:, t.group] + vals
        return out

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        m = self.margins(X)
        if m.shape[1] == 1:
            p = 1.0 / (1.0 + np.exp(-m[:, 0]))
            return np.column_stack([1.0 - p, p])
        e = np.exp(m - m.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        if self.classification:
            p = self.predict_proba(X)
            return (p[:, 1] > 0.5).astype(int) if p.shape[1] == 2 else np.argmax(p, axis=1)
        m = self.margins(X)[:, 0]
        obj = self.model.objective
        if obj in ("binary:logistic", "reg:logistic"):
            return 1.0 / (1.0 + np.exp(-m))
        if obj in ("count:poisson", "reg:gamma", "reg:tweedie"):
            return np.exp(m)
        return m


class XgbBoosterRef:
    """sklearn-style methods of a raw XGBoost booster (its own float32 predictions)."""

    def __init__(self, booster: Any, classification: bool) -> None:
        self.booster = booster
        self.classification = classification

    def _raw(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.booster.predict(xgb.DMatrix(X.to_numpy(dtype=np.float64), missing=np.nan)))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = self._raw(X)
        return np.column_stack([1.0 - p, p]) if p.ndim == 1 else p

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        if not self.classification:
            return self._raw(X)
        p = self.predict_proba(X)
        return (p[:, 1] > 0.5).astype(int) if p.shape[1] == 2 else np.argmax(p, axis=1)


XgbCase = tuple[Any, pd.DataFrame, dict[str, Any], Any]


def _xgb_sklearn(make: Callable[[], Any], data: str, classification: bool, **fit: Any) -> Callable[[], XgbCase]:
    def build() -> XgbCase:
        X, y = getattr(datasets, data)()
        if data == "diabetes" and "poisson" in str(make().objective):
            y = y / 100.0
        est = make()
        early = fit.pop("early", False)
        if early:
            est.fit(X, y, eval_set=[(X.iloc[::3], y[::3])], verbose=False)
        else:
            est.fit(X, y)
        n_iter = est.best_iteration + 1 if early else None
        probe = probe_frame(X, xgb_splits(est.get_booster(), list(X.columns)))
        return est, probe, {}, XgbExactRef(est.get_booster(), classification, n_iter)

    return build


def _xgb_booster(objective: str) -> Callable[[], XgbCase]:
    def build() -> XgbCase:
        data = {"binary:logistic": "breast_cancer", "multi:softprob": "iris"}.get(objective, "diabetes")
        X, y = getattr(datasets, data)()
        X = X.set_axis([f"x{i}" for i in range(X.shape[1])], axis=1)
        params: dict[str, Any] = {"objective": objective, "max_depth": 4, "nthread": 1}
        if objective == "multi:softprob":
            params["num_class"] = 3
        booster = xgb.train(params, xgb.DMatrix(X.to_numpy(), y), num_boost_round=15)  # no feature names
        cls = objective != "reg:squarederror"
        probe = probe_frame(X, xgb_splits(booster, list(X.columns)))
        kw = {"features": list(X.columns), "reference": XgbBoosterRef(booster, cls)}
        return booster, probe, kw, XgbExactRef(booster, cls)

    return build


def _xgb_missing() -> XgbCase:
    X, y = datasets.diabetes()
    X = X.copy()
    rng = np.random.default_rng(1)
    for c in X.columns[:4]:
        X.loc[rng.choice(len(X), 60, replace=False), c] = np.nan
    est = xgb.XGBRegressor(n_estimators=20, max_depth=5, n_jobs=1).fit(X, y)
    probe = probe_frame(X, xgb_splits(est.get_booster(), list(X.columns)))
    return est, probe, {}, XgbExactRef(est.get_booster(), False)


XGB_CASES: dict[str, Callable[[], XgbCase]] = {
    "xgb_squarederror_diabetes": _xgb_sklearn(lambda: xgb.XGBRegressor(n_estimators=25, n_jobs=1), "diabetes", False),
    "xgb_poisson": _xgb_sklearn(
        lambda: xgb.XGBRegressor(n_estimators=20, objective="count:poisson", n_jobs=1), "diabetes", False
    ),
    "xgb_absoluteerror": _xgb_sklearn(
        lambda: xgb.XGBRegressor(n_estimators=15, objective="reg:absoluteerror", n_jobs=1), "diabetes", False
    ),
    "xgb_missing_trained": _xgb_missing,
    "xgb_binary_breast_cancer": _xgb_sklearn(
        lambda: xgb.XGBClassifier(n_estimators=25, n_jobs=1), "breast_cancer", True
    ),
    "xgb_multiclass_wine": _xgb_sklearn(lambda: xgb.XGBClassifier(n_estimators=15, n_jobs=1), "wine", True),
    "xgb_early_stopping": _xgb_sklearn(
        lambda: xgb.XGBClassifier(n_estimators=300, learning_rate=0.5, early_stopping_rounds=3, n_jobs=1),
        "breast_cancer",
        True,
        early=True,
    ),
    # DART: every tree scaled by its weight_drop at prediction time
    "xgb_dart_binary": _xgb_sklearn(
        lambda: xgb.XGBClassifier(booster="dart", rate_drop=0.3, n_estimators=25, n_jobs=1), "breast_cancer", True
    ),
    "xgb_dart_multiclass": _xgb_sklearn(
        lambda: xgb.XGBClassifier(booster="dart", rate_drop=0.3, n_estimators=15, n_jobs=1), "wine", True
    ),
    "xgb_dart_regression": _xgb_sklearn(
        lambda: xgb.XGBRegressor(booster="dart", rate_drop=0.3, n_estimators=20, n_jobs=1), "diabetes", False
    ),
    # XGBRF*: one round of num_parallel_tree trees (rows and columns subsampled per tree)
    "xgb_rf_classifier": _xgb_sklearn(
        lambda: xgb.XGBRFClassifier(n_estimators=12, max_depth=4, n_jobs=1, random_state=0), "wine", True
    ),
    "xgb_rf_regressor": _xgb_sklearn(
        lambda: xgb.XGBRFRegressor(n_estimators=12, max_depth=4, n_jobs=1, random_state=0), "diabetes", False
    ),
    "xgb_booster_binary": _xgb_booster("binary:logistic"),
    "xgb_booster_multiclass": _xgb_booster("multi:softprob"),
    "xgb_booster_regression": _xgb_booster("reg:squarederror"),
}
_xgb_fitted: dict[str, XgbCase] = {}


def xgb_fitted(name: str) -> XgbCase:
    if name not in _xgb_fitted:
        _xgb_fitted[name] = XGB_CASES[name]()
    return _xgb_fitted[name]


@pytest.mark.parametrize("case", sorted(XGB_CASES))
def test_xgboost_exact_routing(case: str, engine: Engine) -> None:
    est, X, kw, exact = xgb_fitted(case)
    check_parity(est, X, engine, features=kw.get("features"), reference=exact)


@pytest.mark.parametrize("case", sorted(XGB_CASES))
def test_xgboost_against_xgboost(case: str) -> None:
    est, X, kw, _ = xgb_fitted(case)
    check_parity(est, X, None, atol=XGB_ATOL, rtol=XGB_RTOL, **kw)


@pytest.mark.parametrize("objective", ["reg:gamma", "reg:tweedie", "reg:pseudohubererror", "binary:logitraw", "reg:logistic"])
def test_xgboost_objectives_ir(objective: str) -> None:
    X, y = datasets.diabetes()
    yy = y / 400.0 if objective in ("reg:logistic",) else (y > 140).astype(float) if objective == "binary:logitraw" else y / 100.0
    est = xgb.XGBRegressor(n_estimators=15, objective=objective, n_jobs=1).fit(X, yy)
    check_parity(est, probe_frame(X, xgb_splits(est.get_booster(), list(X.columns))), None, atol=XGB_ATOL, rtol=XGB_RTOL)


def test_xgboost_unsupported_settings() -> None:
    import skl2sql

    X, y = datasets.diabetes()
    vector = xgb.XGBRegressor(n_estimators=3, n_jobs=1, multi_strategy="multi_output_tree").fit(X, np.c_[y, y])
    with pytest.raises(UnsupportedEstimatorError, match="vector-leaf"):
        skl2sql.compile(vector, table="t")
    booster = xgb.train({"nthread": 1}, xgb.DMatrix(X.to_numpy(), y), num_boost_round=2)
    with pytest.raises(skl2sql.SchemaError):
        skl2sql.compile(booster, table="t")


def _gblinear_cases() -> dict[str, tuple[Any, pd.DataFrame]]:
    X, y = datasets.iris()
    Xb, yb = datasets.breast_cancer()
    Xd, yd = datasets.diabetes()
    gaps = Xd.copy()
    gaps.iloc[::7, 2] = np.nan  # XGBoost skips a missing value: it adds nothing
    lin = {"booster": "gblinear", "n_jobs": 1}
    return {
        "multiclass": (xgb.XGBClassifier(n_estimators=5, **lin).fit(X, y), X),
        "binary": (xgb.XGBClassifier(n_estimators=5, **lin).fit(Xb, yb), Xb.iloc[::4]),
        "regression_missing": (xgb.XGBRegressor(n_estimators=20, **lin).fit(gaps, yd), gaps.iloc[::3]),
        "poisson": (xgb.XGBRegressor(objective="count:poisson", n_estimators=20, **lin).fit(Xd, yd), Xd.iloc[::3]),
        "two_targets": (xgb.XGBRegressor(n_estimators=20, **lin).fit(Xd, np.c_[yd, yd / 3.0]), Xd.iloc[::3]),
    }


@pytest.mark.parametrize("case", ["multiclass", "binary", "regression_missing", "poisson", "two_targets"])
def test_xgboost_gblinear(case: str, engine: Engine) -> None:
    """``booster='gblinear'``: bias plus weighted features per output group, from XGBoost's first
    base score for every group (as its GBLinear predicts); float32 tolerance as for trees."""
    est, X = _gblinear_cases()[case]
    check_parity(est, X, engine, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("objective", ["reg:squarederror", "count:poisson"])
def test_xgboost_multi_target(objective: str, engine: Engine) -> None:
    """Several targets, one tree per target per round (``multi_strategy='one_output_per_tree'``,
    the default): each target's trees from its own base score, one ``prediction_<i>`` each.
    Tolerance as every XGBoost output (float32 accumulation, docs/boosters.md)."""
    X, y = datasets.diabetes()
    targets = np.c_[y, y / 2.0 + 5.0]
    est = xgb.XGBRegressor(n_estimators=15, max_depth=3, objective=objective, n_jobs=1, random_state=0).fit(X, targets)
    compiled = check_parity(est, X.iloc[::3], engine, atol=1e-5, rtol=1e-5)
    assert compiled.outputs == ["prediction_0", "prediction_1"]


def test_xgboost_several_quantiles(engine: Engine) -> None:
    """``reg:quantileerror`` with three ``quantile_alpha``: one prediction per quantile."""
    X, y = datasets.diabetes()
    est = xgb.XGBRegressor(objective="reg:quantileerror", quantile_alpha=np.array([0.1, 0.5, 0.9]), n_estimators=20,
                           max_depth=3, n_jobs=1, random_state=0).fit(X, y)
    compiled = check_parity(est, X.iloc[::3], engine, atol=1e-5, rtol=1e-5)
    assert compiled.outputs == ["prediction_0", "prediction_1", "prediction_2"]


@pytest.mark.parametrize("suffix", ["json", "ubj"])
def test_xgboost_file_and_cli(suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    booster, X, kw, exact = xgb_fitted("xgb_booster_multiclass")
    path = tmp_path / f"model.{suffix}"
    booster.save_model(str(path))
    got = _run_cli_on_duckdb([str(path), "--features", ",".join(X.columns)], X, capsys)
    want = exact.predict_proba(X)
    for k in range(3):
        np.testing.assert_allclose(got[f"probability_{k}"], want[:, k], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(got["probability_1"], kw["reference"].predict_proba(X)[:, 1], rtol=XGB_RTOL, atol=XGB_ATOL)
    assert (got["prediction"] == kw["reference"].predict(X)).all()


_TRAIN_TEXT = sorted(["x", "y", "z", "w", "v", "O'Hare", "a b"])


def _xgb_categorical_case() -> tuple[Any, pd.DataFrame, pd.DataFrame]:
    """XGBoost with native categorical splits (pandas ``category`` columns, text and integer
    categories, partition and one-hot splits, NaN in each column), a probe frame of training
    rows and one whose rows each hold a category XGBoost never saw."""
    rng = np.random.default_rng(0)
    n = 600
    text = _TRAIN_TEXT
    X = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "c": pd.Categorical(rng.choice(text, n), categories=text),
            "k": pd.Categorical(rng.choice([3, 7, 11], n)),
        }
    )
    X.loc[rng.random(n) < 0.1, "c"] = np.nan
    X.loc[rng.random(n) < 0.1, "k"] = np.nan
    X.loc[rng.random(n) < 0.1, "a"] = np.nan
    y = (X["c"].isin(["x", "w", "a b"]).astype(int) + (X["a"] > 0) + (X["k"] == 7) > 1).astype(int)
    est = xgb.XGBClassifier(enable_categorical=True, tree_method="hist", n_estimators=15, max_depth=3, n_jobs=1)
    est.fit(X, y)
    unseen = X.iloc[:5].copy()
    unseen["c"] = pd.Categorical(["a_new", "zz_new", "x", "x", "x"], categories=sorted([*text, "a_new", "zz_new"]))
    unseen["k"] = pd.Categorical([3, 3, 5, 99, 3], categories=[3, 5, 7, 11, 99])
    return est, X.iloc[:200], unseen


def test_xgboost_categorical_splits(engine: Engine) -> None:
    est, probe, _ = _xgb_categorical_case()
    trees = json.loads(est.get_booster().save_raw("json"))["learner"]["gradient_booster"]["model"]["trees"]
    sizes = [k for t in trees for k in t["categories_sizes"]]
    assert 1 in sizes and max(sizes) > 1, "one-hot and partition splits both"
    check_parity(est, probe, engine, atol=XGB_ATOL, rtol=XGB_RTOL)


def test_xgboost_unseen_categories_refused() -> None:
    """XGBoost 3.2 raises for a frame whose categorical dtype holds a category it never saw
    (an unseen text category sorting among the training ones is scored as missing instead: its
    re-coding searches the sorted categories). Neither is a row the model was trained to score:
    the SQL gives NULL outputs for every row holding an unseen category, and scores the others."""
    import skl2sql

    est, _, unseen = _xgb_categorical_case()
    with pytest.raises(xgb.core.XGBoostError, match="not in the training set"):
        est.predict_proba(unseen)
    engine = FACTORIES["duckdb"]()
    try:
        table = engine.new_table_name()
        engine.create_table(table, {"row_id": list(range(5)), **{c: unseen[c].tolist() for c in unseen.columns}})
        got = engine.query(skl2sql.compile(est, table=table, keep=["row_id"]).sql + " ORDER BY row_id")
    finally:
        engine.drop_table(table)
        engine.close()
    p1 = np.asarray(got["probability_1"], dtype=float)
    assert np.isnan(p1[:4]).all(), p1
    row = pd.DataFrame(
        {
            "a": unseen["a"].iloc[[4]].to_numpy(),
            "c": pd.Categorical(["x"], categories=_TRAIN_TEXT),
            "k": pd.Categorical([3], categories=[3, 7, 11]),
        }
    )
    want = est.predict_proba(row)[0, 1]
    assert abs(p1[4] - want) < XGB_ATOL


def test_xgboost_categorical_without_recorded_categories() -> None:
    """Codes from NumPy (``feature_types=['c']``) carry no category values: refused, by name."""
    import skl2sql

    rng = np.random.default_rng(1)
    X = np.c_[rng.normal(size=300), rng.integers(0, 4, 300)]
    y = ((X[:, 1] == 2) | (X[:, 0] > 1)).astype(int)
    booster = xgb.train(
        {"objective": "binary:logistic", "nthread": 1, "max_cat_to_onehot": 1},
        xgb.DMatrix(X, y, feature_types=["q", "c"], enable_categorical=True),
        num_boost_round=3,
    )
    with pytest.raises(UnsupportedEstimatorError, match="'code' has no recorded categories"):
        skl2sql.compile(booster, table="t", features=["x", "code"])


def test_xgboost_non_ascii_categories_refused() -> None:
    """XGBoost 3.2 records a non-ASCII category cut at the wrong places: refused, not misread."""
    import skl2sql

    rng = np.random.default_rng(2)
    text = ["café", "thé", "water"]
    X = pd.DataFrame({"a": rng.normal(size=300), "drink": pd.Categorical(rng.choice(text, 300), categories=text)})
    y = ((X["drink"] == "thé") | (X["a"] > 1)).astype(int)
    est = xgb.XGBClassifier(enable_categorical=True, n_estimators=3, max_depth=2, n_jobs=1).fit(X, y)
    with pytest.raises(UnsupportedEstimatorError, match="'drink' has non-ASCII categories"):
        skl2sql.compile(est, table="t")


def test_xgboost_categorical_column_never_split(engine: Engine) -> None:
    """A pandas categorical column no tree splits on is still a text column: read as it is (not
    cast to a number), and a category XGBoost never saw there still refuses the row."""
    import skl2sql

    rng = np.random.default_rng(4)
    n = 300
    X = pd.DataFrame({"a": rng.normal(size=n), "c": pd.Categorical(rng.choice(["p", "q"], n))})
    est = xgb.XGBClassifier(enable_categorical=True, n_estimators=2, max_depth=1, n_jobs=1).fit(X, (X["a"] > 0).astype(int))
    trees = json.loads(est.get_booster().save_raw("json"))["learner"]["gradient_booster"]["model"]["trees"]
    assert all(int(i) == 0 for t in trees for i in t["split_indices"]), "c must not be split"
    check_parity(est, X, engine, atol=XGB_ATOL, rtol=XGB_RTOL)
    table = engine.new_table_name()
    engine.create_table(table, {"row_id": [0, 1], "a": [0.5, 0.5], "c": ["p", "zz_unseen"]})
    try:
        got = engine.query(skl2sql.compile(est, table=table, dialect=engine.dialect, keep=["row_id"]).sql)
    finally:
        engine.drop_table(table)
    p1 = np.asarray(got["probability_1"], dtype=float)[np.argsort(np.asarray(got["row_id"], dtype=float))]
    assert not np.isnan(p1[0]) and np.isnan(p1[1]), p1
