"""A differential fuzzer: random data, random models, estimator = IR = SQL on real engines.

Each case is drawn from one integer seed: a model family with random hyper-parameters (linear
models and GLMs, naive Bayes, SVMs, MLPs, k-means, every scikit-learn tree ensemble,
HistGradientBoosting, LightGBM and XGBoost with random objectives, pipelines and column
transformers with scalers, imputers and encoders over them), training data (ties, integers stored
as floats, NaN where the family takes it, text categories with quotes, backslashes, ``--``, ``;``,
unicode, trailing spaces, empty and long strings) and scoring rows holding what no test thought
of: NaN, ±inf, ±0.0, subnormals, ±1e308, unseen categories, and values at and one ulp around the
fitted model's own split thresholds. The case is fitted, compiled and checked on each engine as
:func:`parity.check_parity` checks (every output, every row, IR and SQL; rows the estimator
refuses must be NULL), allowing only the documented deviations (:func:`check`). A failure is shrunk to the fewest scoring rows that still fail and reported with
its seed, so ``python warehouse_tests/fuzzing.py --replay SEED`` runs it again.

The fast tier (``test_fuzz.py``) runs a fixed seed for a time budget on DuckDB and SQLite in CI;
``make fuzz`` runs a campaign on every engine: ``FUZZ_SECONDS=600 FUZZ_SEED=1 make fuzz``.
Bugs it found are listed in ``docs/bugs_found.md`` and kept as named tests in
``test_fuzz_regressions.py``.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

import skl2sql
from engines import FACTORIES, Engine, EngineUnavailable
from parity import KEY, _is_null, expected_outputs
from skl2sql import Skl2SqlError

#: Text categories that have broken SQL generators elsewhere.
HOSTILE = ["it's", 'say "hi"', "back\\slash", "a--b", "x; DROP TABLE t", "naïve", "日本", "trail ", " lead", "",
           "{{ x }}", "%s", "?", "tab\there", "NULL", "null", "0", "1.5", "e" * 150]

#: Scoring values beside the ordinary ones.
SPECIAL = [math.nan, math.inf, -math.inf, 0.0, -0.0, 5e-324, -5e-324, 1e-310, 2.2250738585072014e-308, 1e308, -1e308,
           1.7976931348623157e308, 3.4028234663852886e38, 3.4028235677973366e38, 1e20, -1e20, 1.0, 2.0]


@dataclass
class Case:
    """One fuzz case: a fitted estimator and the rows to score."""

    seed: int
    family: str
    estimator: Any
    X: pd.DataFrame
    reference: Any = None
    tolerance: float = 1e-9
    notes: list[str] = field(default_factory=list)


@dataclass
class Failure:
    seed: int
    family: str
    engine: str
    error: str
    rows: pd.DataFrame

    def report(self) -> str:
        with pd.option_context("display.max_columns", None, "display.width", 200, "display.precision", 17):
            shown = self.rows.to_string()
        return (f"fuzz case seed={self.seed} family={self.family} engine={self.engine}\n"
                f"  replay: python warehouse_tests/fuzzing.py --replay {self.seed} --engines {self.engine}\n"
                f"  {self.error.strip()[:1500]}\n  shrunk to {len(self.rows)} row(s):\n{shown}")


@dataclass
class Report:
    seed: int
    cases: int = 0
    checks: int = 0
    refused: int = 0  # compile-time typed refusals (a configuration skl2sql does not compile)
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    by_family: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        fams = ", ".join(f"{k} {v}" for k, v in sorted(self.by_family.items()))
        return (f"fuzz seed {self.seed}: {self.cases} cases, {self.checks} engine checks, {self.refused} typed refusals, "
                f"{len(self.failures)} failures in {self.seconds:.0f} s ({fams})")


# -- data -------------------------------------------------------------------------------------

def numeric_column(rng: np.random.Generator, n: int) -> np.ndarray:
    kind = rng.integers(5)
    if kind == 0:
        return rng.normal(rng.normal(0, 10), rng.uniform(0.01, 100), n)
    if kind == 1:  # integers stored as floats
        return rng.integers(-5, 20, n).astype(np.float64)
    if kind == 2:  # heavy ties
        return rng.choice(rng.normal(0, 3, 4), n)
    if kind == 3:
        return rng.exponential(rng.uniform(0.001, 1000), n)
    return np.round(rng.normal(0, 1, n), 2)


def text_column(rng: np.random.Generator, n: int) -> tuple[np.ndarray, list[str]]:
    k = int(rng.integers(2, 6))
    cats = list(rng.choice(np.asarray(HOSTILE + ["red", "green", "blue"], dtype=object), k, replace=False))
    return rng.choice(np.asarray(cats, dtype=object), n), cats


def training_frame(rng: np.random.Generator, n: int, n_num: int, n_text: int, nan_share: float) -> pd.DataFrame:
    cols: dict[str, Any] = {}
    for j in range(n_num):
        x = numeric_column(rng, n)
        if nan_share:
            x[rng.random(n) < nan_share] = np.nan
        cols[f"x{j}"] = x
    for j in range(n_text):
        cols[f"t{j}"] = text_column(rng, n)[0]
    return pd.DataFrame(cols)


def scoring_frame(rng: np.random.Generator, train: pd.DataFrame, thresholds: Sequence[tuple[str, float]],
                  n: int, specials: bool, unseen: bool) -> pd.DataFrame:
    """Rows like the training rows (resampled), special values in some cells, unseen
    categories, and rows at and one ulp (double and float32) around learned thresholds."""
    rows = train.sample(n=n, replace=True, random_state=int(rng.integers(1 << 31))).reset_index(drop=True)
    for c in rows.columns:
        if c.startswith("x") and specials:
            mask = rng.random(n) < 0.08
            rows.loc[mask, c] = rng.choice(SPECIAL, int(mask.sum()))
        elif c.startswith("t") and unseen:
            mask = rng.random(n) < 0.08
            rows.loc[mask, c] = rng.choice(np.asarray(["unseen", "it's new", "", "RED"], dtype=object), int(mask.sum()))
    extra = []
    picks = rng.permutation(len(thresholds))[:24] if len(thresholds) else []
    for i in picks:
        col, t = thresholds[int(i)]
        if not math.isfinite(t):
            continue
        t32 = float(np.float32(t))
        for v in {t, math.nextafter(t, -math.inf), math.nextafter(t, math.inf), t32,
                  float(np.nextafter(np.float32(t32), np.float32(-np.inf))), float(np.nextafter(np.float32(t32), np.float32(np.inf)))}:
            row = rows.iloc[int(rng.integers(len(rows)))].copy()
            row[col] = v
            extra.append(row)
    if extra:
        rows = pd.concat([rows, pd.DataFrame(extra)], ignore_index=True)
    return rows


# -- models -----------------------------------------------------------------------------------

def _target(rng: np.random.Generator, X: pd.DataFrame, kind: str) -> np.ndarray:
    num = X[[c for c in X.columns if c.startswith("x")]].fillna(0.0).to_numpy(dtype=np.float64)
    z = num @ rng.normal(0, 1, num.shape[1]) if num.shape[1] else np.zeros(len(X))
    z = (z - z.mean()) / (z.std() + 1e-12) + rng.normal(0, 0.5, len(X))
    if kind == "binary":
        return (z > 0).astype(int)
    if kind == "multiclass":
        return np.digitize(z, [-0.5, 0.5])
    if kind == "count":
        return rng.poisson(np.exp(np.clip(z, -3, 3)))
    if kind == "text_labels":
        return np.where(z > 0, "yes it's", "no")
    return z * rng.uniform(0.1, 100)


def _with_preprocessing(rng: np.random.Generator, est: Any, X: pd.DataFrame, impute: bool, supervised: bool) -> Any:
    """Random preprocessing in front of ``est``: a ColumnTransformer when there is text."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import (
        MinMaxScaler,
        OneHotEncoder,
        OrdinalEncoder,
        RobustScaler,
        StandardScaler,
        TargetEncoder,
    )

    num = [c for c in X.columns if c.startswith("x")]
    text = [c for c in X.columns if c.startswith("t")]
    scaler = [StandardScaler(), MinMaxScaler(), RobustScaler(), "passthrough"][int(rng.integers(4))]
    numeric: Any = make_pipeline(SimpleImputer(strategy=str(rng.choice(["mean", "median"]))), scaler) if impute else scaler
    if not text:
        return est if numeric == "passthrough" else make_pipeline(numeric, est)
    encoders = [OneHotEncoder(handle_unknown="ignore"), OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
                OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=3)]
    if supervised:  # TargetEncoder needs y
        encoders.append(TargetEncoder(random_state=0))
    encoder = encoders[int(rng.integers(len(encoders)))]
    pre = ColumnTransformer([("num", numeric, num), ("text", encoder, text)])
    return make_pipeline(pre, est)


def _sklearn_thresholds(est: Any, columns: list[str]) -> list[tuple[str, float]]:
    trees = []
    last = est[-1] if hasattr(est, "steps") else est
    if hasattr(est, "steps") and len(est.steps) > 1:
        return []  # thresholds are on transformed values
    for t in np.ravel(getattr(last, "estimators_", [last])):
        tree = getattr(t, "tree_", None)
        if tree is not None:
            inner = tree.children_left >= 0
            trees += [(columns[int(f)], float(v)) for f, v in zip(tree.feature[inner], tree.threshold[inner], strict=True)]
    for it in getattr(last, "_predictors", []):
        for p in it:
            trees += [(columns[int(n["feature_idx"])], float(n["num_threshold"])) for n in p.nodes if not n["is_leaf"]]
    return trees


FamilyMaker = Callable[[np.random.Generator, pd.DataFrame], tuple[Any, str, bool]]


def _linear(rng: np.random.Generator, X: pd.DataFrame) -> tuple[Any, str, bool]:
    from sklearn.linear_model import (
        ElasticNet,
        LinearRegression,
        LogisticRegression,
        PoissonRegressor,
        Ridge,
        TweedieRegressor,
    )

    choice = int(rng.integers(6))
    if choice == 0:
        return LogisticRegression(C=float(rng.choice([0.01, 1.0, 100.0])), max_iter=3000), str(rng.choice(["binary", "multiclass", "text_labels"])), False
    if choice == 1:
        return Ridge(alpha=float(rng.uniform(0.01, 10))), "value", False
    if choice == 2:
        return LinearRegression(), "value", False
    if choice == 3:
        return PoissonRegressor(alpha=float(rng.uniform(0.0, 1.0)), max_iter=1000), "count", False
    if choice == 4:
        return TweedieRegressor(power=float(rng.choice([0.0, 1.5, 2.0])), link="log", max_iter=1000), "count_pos", False
    return ElasticNet(alpha=float(rng.uniform(0.01, 1)), l1_ratio=float(rng.uniform(0.1, 0.9))), "value", False


def _other(rng: np.random.Generator, X: pd.DataFrame) -> tuple[Any, str, bool]:
    from sklearn.cluster import KMeans
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.svm import SVC, SVR

    choice = int(rng.integers(6))
    if choice == 0:
        return GaussianNB(), str(rng.choice(["binary", "multiclass"])), False
    if choice == 1:
        return SVC(kernel=str(rng.choice(["linear", "rbf", "poly"])), C=float(rng.choice([0.1, 1.0])), gamma="scale"), "binary", False
    if choice == 2:
        return SVR(kernel=str(rng.choice(["rbf", "linear"]))), "value", False
    if choice == 3:
        return MLPClassifier(hidden_layer_sizes=(int(rng.integers(2, 8)),), activation=str(rng.choice(["relu", "tanh", "logistic"])),
                             max_iter=200, random_state=0), "binary", False
    if choice == 4:
        return MLPRegressor(hidden_layer_sizes=(int(rng.integers(2, 8)),), max_iter=200, random_state=0), "value", False
    return KMeans(int(rng.integers(2, 5)), n_init=2, random_state=0), "none", False


def _trees(rng: np.random.Generator, X: pd.DataFrame) -> tuple[Any, str, bool]:
    from sklearn.ensemble import (
        ExtraTreesClassifier,
        GradientBoostingClassifier,
        GradientBoostingRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    depth = int(rng.integers(1, 9))
    choice = int(rng.integers(7))
    if choice == 0:
        return DecisionTreeClassifier(max_depth=depth, random_state=0), str(rng.choice(["binary", "multiclass", "text_labels"])), True
    if choice == 1:
        return DecisionTreeRegressor(max_depth=depth, random_state=0), "value", True
    if choice == 2:
        return RandomForestClassifier(int(rng.integers(1, 8)), max_depth=depth, random_state=0), "multiclass", True
    if choice == 3:
        return RandomForestRegressor(int(rng.integers(1, 8)), max_depth=depth, random_state=0), "value", True
    if choice == 4:
        return ExtraTreesClassifier(int(rng.integers(1, 6)), max_depth=depth, random_state=0), "binary", True
    if choice == 5:
        loss = str(rng.choice(["log_loss", "exponential"]))
        return GradientBoostingClassifier(n_estimators=int(rng.integers(1, 12)), max_depth=min(depth, 4), loss=loss, random_state=0), "binary", False
    loss = str(rng.choice(["squared_error", "absolute_error", "huber", "quantile"]))
    return GradientBoostingRegressor(n_estimators=int(rng.integers(1, 12)), max_depth=min(depth, 4), loss=loss, random_state=0), "value", False


def _hist(rng: np.random.Generator, X: pd.DataFrame) -> tuple[Any, str, bool]:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    kw = {"max_iter": int(rng.integers(1, 20)), "max_leaf_nodes": int(rng.integers(2, 16)),
          "min_samples_leaf": int(rng.integers(1, 10)), "random_state": 0}
    if rng.random() < 0.5:
        return HistGradientBoostingClassifier(**kw), str(rng.choice(["binary", "multiclass"])), True
    loss = str(rng.choice(["squared_error", "absolute_error", "poisson", "gamma"]))
    return HistGradientBoostingRegressor(loss=loss, **kw), "count_pos" if loss in ("poisson", "gamma") else "value", True


def _lightgbm(rng: np.random.Generator, X: pd.DataFrame) -> tuple[Any, str, bool]:
    import lightgbm as lgb

    kw = {"n_estimators": int(rng.integers(1, 40)), "num_leaves": int(rng.integers(2, 32)),
          "min_child_samples": int(rng.integers(1, 10)), "verbose": -1, "n_jobs": 1, "random_state": 0}
    choice = int(rng.integers(4))
    if choice == 0:
        return lgb.LGBMClassifier(**kw), "binary", True
    if choice == 1:
        return lgb.LGBMClassifier(**kw), "multiclass", True
    obj = str(rng.choice(["regression", "poisson", "huber", "quantile", "tweedie"]))
    return lgb.LGBMRegressor(objective=obj, **kw), "count_pos" if obj in ("poisson", "tweedie") else "value", True


def _xgboost(rng: np.random.Generator, X: pd.DataFrame) -> tuple[Any, str, bool]:
    import xgboost as xgb

    kw = {"n_estimators": int(rng.integers(1, 20)), "max_depth": int(rng.integers(1, 6)), "n_jobs": 1, "random_state": 0}
    if rng.random() < 0.5:
        return xgb.XGBClassifier(**kw), "binary", True
    obj = str(rng.choice(["reg:squarederror", "reg:absoluteerror", "count:poisson"]))
    return xgb.XGBRegressor(objective=obj, **kw), "count_pos" if obj == "count:poisson" else "value", True


#: family name -> (maker, weight, takes text through an encoder pipeline)
FAMILIES: dict[str, tuple[FamilyMaker, float, bool]] = {
    "linear": (_linear, 3.0, True),
    "other": (_other, 2.0, True),
    "trees": (_trees, 3.0, True),
    "hist_gradient_boosting": (_hist, 1.5, False),
    "lightgbm": (_lightgbm, 2.0, False),
    "xgboost": (_xgboost, 1.0, False),
}


def draw_case(seed: int) -> Case:
    """The case of ``seed``: the same seed always gives the same case."""
    rng = np.random.default_rng(seed)
    names = list(FAMILIES)
    weights = np.array([FAMILIES[n][1] for n in names])
    family = names[int(rng.choice(len(names), p=weights / weights.sum()))]
    maker, _, text_ok = FAMILIES[family]
    n_num = int(rng.integers(1, 5))
    n_text = int(rng.integers(0, 3)) if text_ok and rng.random() < 0.4 else 0
    est, target, takes_nan = maker(rng, pd.DataFrame())
    nan_share = float(rng.choice([0.0, 0.05, 0.2])) if takes_nan and not n_text else 0.0
    n = int(rng.integers(30, 200))
    X = training_frame(rng, n, n_num, n_text, nan_share)
    impute = (not takes_nan or n_text) and rng.random() < 0.5
    if impute or n_text or (not takes_nan and rng.random() < 0.4):
        est = _with_preprocessing(rng, est, X, impute=bool(impute), supervised=target != "none")
    kind = "count" if target == "count_pos" else target
    y = _target(rng, X, kind) if kind != "none" else None
    if target == "count_pos":
        y = y + 1
    if y is not None and kind in ("binary", "multiclass", "text_labels") and len(np.unique(y)) < 2:
        y[: len(y) // 2] = y[0] if kind != "text_labels" else y[0]
        y[0] = 1 - y[0] if kind != "text_labels" else ("no" if y[0] != "no" else "yes it's")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    thresholds = _sklearn_thresholds(est, list(X.columns))
    Xs = scoring_frame(rng, X, thresholds, int(rng.integers(20, 60)), specials=rng.random() < 0.8, unseen=True)
    case = Case(seed, family, est, Xs)
    if family == "xgboost":
        from test_parity_boosters import XgbExactRef

        case.reference = XgbExactRef(est.get_booster(), classification=hasattr(est, "classes_"))
    return case


# -- running ----------------------------------------------------------------------------------

def engines_named(names: Sequence[str]) -> list[Engine]:
    out = []
    for n in names:
        try:
            out.append(FACTORIES[n]())
        except EngineUnavailable as err:
            print(f"fuzz: engine {n} unavailable ({err}); skipped", file=sys.stderr)
    return out


def _for_engine(X: pd.DataFrame, engine: Engine) -> pd.DataFrame:
    """MariaDB stores no infinity: its rows hold NULL there instead."""
    if engine.name != "mariadb":
        return X
    return X.replace([np.inf, -np.inf], np.nan)


def check(case: Case, X: pd.DataFrame, engine: Engine) -> None:
    """estimator = IR = SQL on ``engine`` for the rows ``X``, with the documented deviations:
    where scikit-learn's output is not finite (``inf``, NaN without a refusal) SQL gives NULL, and
    a row holding a finite value beyond ``CompiledModel.input_bound`` may be NULL (README,
    "Exactness"). Everything else as :func:`parity.check_parity`: labels exact, numbers within the
    case's tolerance, NULL exactly where the estimator refuses the row."""
    X = _for_engine(X, engine)
    features = list(case.X.columns) if case.family == "lightgbm" else None
    reference = case.reference
    big = np.abs(np.nan_to_num(X.select_dtypes("number").to_numpy(dtype=np.float64), nan=0.0)) > 3.4e38
    if case.family == "xgboost" and big.any():
        # the exact reference's DMatrix refuses what float32 cannot hold; XGBoost's sklearn
        # predict takes it as a value, computing in float32 (docs/boosters.md: 1e-5)
        reference, tol = None, 1e-5
    else:
        tol = case.tolerance
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compiled = skl2sql.compile(case.estimator, table="placeholder", dialect=engine.dialect, keep=[KEY], features=features)
        want = expected_outputs(case.estimator if reference is None else reference, X, compiled.outputs)
        data = {c: X[c].tolist() for c in compiled.features}
        legs = {"IR": compiled.evaluate(data)}
        table = engine.new_table_name()
        columns: dict[str, list[Any]] = {KEY: list(range(len(X)))}
        columns.update({c: X[c].tolist() for c in compiled.features})
        engine.create_table(table, columns)
        try:
            compiled = skl2sql.compile(case.estimator, table=table, dialect=engine.dialect, keep=[KEY], features=features)
            got = engine.query(compiled.sql)
        finally:
            engine.drop_table(table)
    order = np.argsort(got[KEY].astype(float))
    legs[engine.name] = {o: got[o][order] for o in compiled.outputs}
    numeric = X[[c for c in compiled.features if pd.api.types.is_numeric_dtype(X[c])]].to_numpy(dtype=np.float64)
    beyond = (np.isfinite(numeric) & (np.abs(numeric) > compiled.input_bound)).any(axis=1)
    labels = set(compiled.labels)
    bad: list[str] = []
    for leg, outs in legs.items():
        for o in compiled.outputs:
            for i, (g, w) in enumerate(zip(outs[o], want[o], strict=True)):
                problem = _judge(g, w, bool(beyond[i]), o in labels, tol)
                if problem:
                    bad.append(f"{leg} {o} row {i}: {problem}")
    if bad:
        raise AssertionError(f"{type(case.estimator).__name__}: {len(bad)} mismatches: " + "; ".join(bad[:6]))


def _judge(got: Any, want: Any, beyond_bound: bool, label: bool, tol: float) -> str | None:
    """Why ``got`` is not an acceptable answer for ``want``, or None."""
    got_null = _is_null(got)
    if _is_null(want):
        return None if got_null else f"got {got!r}, expected NULL (refused)"
    if isinstance(want, (float, np.floating)) and math.isinf(want):
        return None if got_null else f"got {got!r} where scikit-learn overflows to {want!r}"
    if got_null:
        return None if beyond_bound else f"got NULL, expected {want!r}"
    if isinstance(want, (str, np.str_)) or isinstance(got, str):
        return None if str(got) == str(want) else f"got {got!r}, expected {want!r}"
    g, w = float(got), float(want)
    if label:
        return None if g == w else f"got {got!r}, expected {want!r}"
    return None if abs(g - w) <= tol + tol * abs(w) else f"got {g!r}, expected {w!r}"


def shrink(case: Case, engine: Engine, error_of: Callable[[pd.DataFrame], str | None]) -> pd.DataFrame:
    """The fewest rows of ``case.X`` (greedy halving, then one at a time) that still fail."""
    rows = case.X
    chunk = max(len(rows) // 2, 1)
    while chunk >= 1 and len(rows) > 1:
        progressed = False
        start = 0
        while start < len(rows) and len(rows) > 1:
            trial = rows.drop(rows.index[start:start + chunk])
            if len(trial) and error_of(trial) is not None:
                rows = trial
                progressed = True
            else:
                start += chunk
        if not progressed:
            chunk //= 2
    return rows.reset_index(drop=True)


def run_case(seed: int, engines: Sequence[Engine], report: Report) -> None:
    try:
        case = draw_case(seed)
    except Exception as err:  # noqa: BLE001 - the generator's own failure is not a finding: a model that cannot be fitted
        report.refused += 0
        print(f"fuzz: seed {seed} could not be drawn ({type(err).__name__}: {err})", file=sys.stderr)
        return
    report.cases += 1
    report.by_family[case.family] = report.by_family.get(case.family, 0) + 1
    for engine in engines:

        def error_of(X: pd.DataFrame, engine: Engine = engine) -> str | None:
            try:
                check(case, X, engine)
            except Skl2SqlError as err:
                return None if X is case.X else f"{type(err).__name__}: {err}"
            except Exception as err:  # noqa: BLE001 - any other error is a finding
                return f"{type(err).__name__}: {err}"
            return None

        report.checks += 1
        try:
            check(case, case.X, engine)
        except Skl2SqlError:
            report.refused += 1
            return
        except Exception:  # noqa: BLE001
            error = traceback.format_exc(limit=0)
            rows = shrink(case, engine, error_of)
            final = error_of(rows) or error
            report.failures.append(Failure(seed, case.family, engine.name, final, rows))


def campaign(seed: int, seconds: float, engines: Sequence[Engine], max_cases: int | None = None) -> Report:
    report = Report(seed)
    start = time.monotonic()
    i = 0
    while time.monotonic() - start < seconds and (max_cases is None or i < max_cases):
        run_case(seed * 100_000 + i, engines, report)
        i += 1
    report.seconds = time.monotonic() - start
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="skl2sql differential fuzzer")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000)
    parser.add_argument("--engines", default="duckdb,sqlite,postgres,mariadb")
    parser.add_argument("--replay", type=int, help="run one case seed (as printed by a failure)")
    args = parser.parse_args(argv)
    engines = engines_named([e for e in args.engines.split(",") if e])
    if args.replay is not None:
        report = Report(args.replay)
        run_case(args.replay, engines, report)
    else:
        print(f"fuzz: seed {args.seed}, {args.seconds:.0f} s, engines {', '.join(e.name for e in engines)}", flush=True)
        report = campaign(args.seed, args.seconds, engines)
    for f in report.failures:
        print(f.report(), "\n")
    print(report.summary())
    for e in engines:
        e.close()
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
