"""Categorical encoders of other libraries, read by probing their fitted ``transform``;
registered when the library is installed.

- category_encoders: OrdinalEncoder, OneHotEncoder, BinaryEncoder, BaseNEncoder, GrayEncoder, the
  Helmert/Sum/BackwardDifference/Polynomial contrasts, TargetEncoder, WOEEncoder, MEstimateEncoder,
  JamesSteinEncoder, CountEncoder, QuantileEncoder, RankHotEncoder;
- feature_engine: OneHotEncoder, OrdinalEncoder, CountFrequencyEncoder, MeanEncoder, WoEEncoder.

They share one shape: each encoded column is mapped, category by category, to one or several
numbers, and every other column passes through. Rather than re-implement each encoder's
arithmetic, smoothing and unknown/missing rules, the fitted encoder is *asked* at compile time:
for each encoded column, ``transform`` runs on one row per fitted category, one NULL row and one
row holding a value it never saw, the other columns held at a fitted category. The numbers it
returns become a category lookup per output column
(:func:`~skl2sql.assemblers.scikit_learn.encoders.category_lookup`), so the SQL gives exactly what
``transform`` gives. A value that makes ``transform`` raise (``handle_unknown='error'``,
feature_engine's default ``missing_values='raise'``...) makes every output of the row NULL, as
for scikit-learn's encoders. A value the encoder treats like an unseen one (a category below
feature_engine's ``top_categories``, say) is one: all values outside the fitted list get the
unseen row's numbers.

The per-column reading assumes an output depends on one input column only; it is checked before
anything is emitted: ``transform`` runs on rows mixing categories, NULLs and unseen values across
all columns (random numbers in the others), and any difference from the reading refuses the
encoder. Encoders without a fitted list of categories (category_encoders' hashing, CatBoost,
leave-one-out, summary, GLMM) or with text outputs (feature_engine's RareLabelEncoder) are not
registered.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...errors import UnsupportedEstimatorError
from ...ir import And, Expr, IsNull, Not, lit
from ..context import Context
from ..interface import Feature
from ..registry import optional_module, register
from ..scikit_learn.encoders import CategorySpec, category_lookup, category_spec, is_missing

__all__ = ["assemble_probed_encoder"]

#: category_encoders' encoders whose fitted state is an ordinal mapping per column plus a
#: mapping from codes.
_CE_NAMES = (
    "OrdinalEncoder", "OneHotEncoder", "BinaryEncoder", "BaseNEncoder", "GrayEncoder", "HelmertEncoder",
    "SumEncoder", "BackwardDifferenceEncoder", "PolynomialEncoder", "TargetEncoder", "WOEEncoder",
    "MEstimateEncoder", "JamesSteinEncoder", "CountEncoder", "QuantileEncoder", "RankHotEncoder",
)

_UNSEEN_TEXT = "\x1fskl2sql: a value no encoder was fitted on\x1f"


@dataclass
class _Column:
    """One encoded input: its fitted categories and, per output column it drives, the number
    for each category, for NULL and for an unseen value (None: NULL; ``raises``: transform
    refuses that value)."""

    name: str
    categories: list[Any]
    spec: CategorySpec  # the categories, then NULL
    outputs: dict[str, list[float | None]]
    missing: dict[str, float | None]
    unseen: dict[str, float | None]
    unseen_raises: bool
    missing_raises: bool


#: feature_engine's encoders with numeric outputs and an ``encoder_dict_`` per variable.
_FE_NAMES = ("OneHotEncoder", "OrdinalEncoder", "CountFrequencyEncoder", "MeanEncoder", "WoEEncoder")


def _present(values: Any) -> list[Any]:
    return [v for v in values if not is_missing(v)]


def _ce_categories(est: Any, col: str) -> list[Any]:
    ordinal = est if type(est).__name__ == "OrdinalEncoder" else getattr(est, "ordinal_encoder", None)
    for m in getattr(ordinal, "mapping", None) or []:
        if m.get("col") == col:
            return _present(m["mapping"].index)
    raise UnsupportedEstimatorError(f"{type(est).__name__}: no fitted categories for column {col!r}")


def _fe_categories(est: Any, col: str) -> list[Any]:
    fitted = getattr(est, "encoder_dict_", {}).get(col)
    if fitted is None:
        raise UnsupportedEstimatorError(f"{type(est).__name__}: no fitted categories for column {col!r}")
    return _present(list(fitted))


@dataclass(frozen=True)
class _Reader:
    """Where a library keeps the encoded columns and each one's fitted categories."""

    columns: Callable[[Any], list[str]]
    categories: Callable[[Any, str], list[Any]]


#: Registered encoder class -> its library's reader.
_READERS: dict[type, _Reader] = {}


def _categories(est: Any, col: str) -> list[Any]:
    cats = _READERS[type(est)].categories(est, col)
    if not cats:
        raise UnsupportedEstimatorError(f"{type(est).__name__}: column {col!r} has no fitted categories")
    return cats


def _number(v: Any) -> float | None:
    return None if v is pd.NA or is_missing(v) else float(v)


def _unseen(categories: list[Any]) -> Any:
    """A value of the column's kind that is not a fitted category."""
    if all(isinstance(c, str) for c in categories):
        return _UNSEEN_TEXT
    numbers = {float(c) for c in categories}
    value = 1234567.891
    while value in numbers:
        value += 1.0
    return value


def _frame(est: Any, base: dict[str, Any], rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Probe rows: each a dict of the columns it sets, the others at ``base``."""
    names = [str(n) for n in est.feature_names_in_]
    data = {n: [r.get(n, base[n]) for r in rows] for n in names}
    return pd.DataFrame({n: pd.Series(v, dtype=object if any(isinstance(x, str) for x in v) else None) for n, v in data.items()})


def _transform(est: Any, frame: pd.DataFrame) -> pd.DataFrame | None:
    """``est.transform(frame)``, None if it raises (the values are refused)."""
    try:
        with warnings.catch_warnings():  # the library's own pandas deprecation notices
            warnings.simplefilter("ignore")
            out = est.transform(frame)
    except Exception:  # noqa: BLE001 - category_encoders raises ValueError, KeyError...
        return None
    names = [str(n) for n in est.get_feature_names_out()]
    if isinstance(out, pd.DataFrame) and list(map(str, out.columns)) != names:
        return None  # not the columns it names: nothing to read safely
    return pd.DataFrame(np.asarray(out, dtype=object), columns=names)


def _read_column(est: Any, col: str, base: dict[str, Any], out_names: list[str]) -> _Column:
    cats = _categories(est, col)
    known = _transform(est, _frame(est, base, [{col: c} for c in cats]))
    if known is None:
        raise UnsupportedEstimatorError(f"{type(est).__name__}: transform refuses its own categories of {col!r}")
    missing = _transform(est, _frame(est, base, [{col: None}]))
    unseen = _transform(est, _frame(est, base, [{col: _unseen(cats)}]))
    answers = [known, *(a for a in (missing, unseen) if a is not None)]
    # the outputs this column drives: named after it, or not constant over its probes
    drives = [n for n in out_names if n == col or len({_number(v) for a in answers for v in a[n]}) > 1]
    return _Column(
        name=col,
        categories=cats,
        spec=category_spec(est, [*cats, None], col),
        outputs={n: [_number(v) for v in known[n]] for n in drives},
        missing={n: _number(missing[n].iloc[0]) for n in drives} if missing is not None else {},
        unseen={n: _number(unseen[n].iloc[0]) for n in drives} if unseen is not None else {},
        unseen_raises=unseen is None,
        missing_raises=missing is None,
    )


def _expected(column: _Column, output: str, value: Any) -> float | None | str:
    """The number ``output`` takes for ``value`` of ``column`` by the per-column reading."""
    if value is None:
        return "raises" if column.missing_raises else column.missing[output]
    if value in column.categories:
        return column.outputs[output][column.categories.index(value)]
    return "raises" if column.unseen_raises else column.unseen[output]


def _check_independent(
    est: Any, columns: list[_Column], base: dict[str, Any], constants: dict[str, float | None], passed: list[str]
) -> None:
    """Refuse the encoder unless mixed rows give what the per-column reading predicts, and the
    columns it does not encode come out as they went in."""
    rng = np.random.default_rng(0)
    rows: list[dict[str, Any]] = []
    for _ in range(40):
        row: dict[str, Any] = {p: (None if rng.random() < 0.2 else float(rng.normal())) for p in passed}
        for c in columns:
            roll = rng.random()
            if roll < 0.15 and not c.missing_raises:
                row[c.name] = None
            elif roll < 0.3 and not c.unseen_raises:
                row[c.name] = _unseen(c.categories)
            else:
                row[c.name] = c.categories[int(rng.integers(len(c.categories)))]
        rows.append(row)
    got = _transform(est, _frame(est, base, rows))
    if got is None:
        raise UnsupportedEstimatorError(f"{type(est).__name__}: transform refused rows its columns accept one by one")
    for c in columns:
        for out in c.outputs:
            want = [_expected(c, out, r[c.name]) for r in rows]
            if [_number(v) for v in got[out]] != want:
                raise UnsupportedEstimatorError(
                    f"{type(est).__name__}: output {out!r} does not depend on column {c.name!r} alone; not compiled"
                )
    for out, value in constants.items():
        if any(_number(v) != value for v in got[out]):
            raise UnsupportedEstimatorError(f"{type(est).__name__}: output {out!r} is not a column's function")
    for p in passed:
        if [_number(v) for v in got[p]] != [r[p] for r in rows]:
            raise UnsupportedEstimatorError(f"{type(est).__name__}: column {p!r} does not pass through unchanged")


def _known_flag(x: Expr, column: _Column, ctx: Context) -> Expr:
    """1 where ``transform`` accepts the column's value, NULL where it refuses it."""
    flags = [lit(1)] * len(column.categories) + [lit(None) if column.missing_raises else lit(1)]
    return category_lookup(x, column.spec, ctx, flags, None if column.unseen_raises else lit(1))


def assemble_probed_encoder(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    """One lookup per output column of each encoded input; other inputs pass through."""
    names_in = [str(n) for n in est.feature_names_in_]
    if len(features) != len(names_in):
        raise UnsupportedEstimatorError(f"{type(est).__name__} was fitted on {len(names_in)} columns, got {len(features)}")
    by_name = dict(zip(names_in, features, strict=True))
    encoded = [str(c) for c in _READERS[type(est)].columns(est)]
    out_names = [str(n) for n in est.get_feature_names_out()]
    base: dict[str, Any] = {n: 0.0 for n in names_in}
    for col in encoded:
        base[col] = _categories(est, col)[0]
    columns = [_read_column(est, col, base, out_names) for col in encoded]
    driven = {out: c for c in columns for out in c.outputs}
    constants: dict[str, float | None] = {}
    probe = _transform(est, _frame(est, base, [{}]))
    assert probe is not None
    passed = [n for n in out_names if n not in driven and n in by_name and n not in encoded]
    for name in out_names:
        if name not in driven and name not in passed:
            constants[name] = _number(probe[name].iloc[0])
    _check_independent(est, columns, base, constants, passed)

    features_out: list[Feature] = []
    for name in out_names:
        if name in driven:
            c = driven[name]
            per_value = [lit(v) for v in c.outputs[name]] + [lit(None if c.missing_raises else c.missing[name])]
            unknown = lit(None) if c.unseen_raises else lit(c.unseen[name])
            expr = category_lookup(by_name[c.name].expr, c.spec, ctx, per_value, unknown)
        elif name in passed:
            expr = by_name[name].expr
        else:
            expr = lit(constants[name])
        features_out.append(Feature(expr, name))
    refusing = [c for c in columns if c.unseen_raises or c.missing_raises]
    if refusing:  # a value transform refuses makes every output of the row NULL
        flags = ctx.materialize([_known_flag(by_name[c.name].expr, c, ctx) for c in refusing], "ce_known")
        conds: list[Expr] = [Not(IsNull(f)) for f in flags]
        ok = ctx.refuse_unless(conds[0] if len(conds) == 1 else And(tuple(conds)), [f.expr for f in features_out], "ce_ok")
        features_out = [Feature(e, f.name) for f, e in zip(features_out, ok, strict=True)]
    return features_out


def _register(classes: list[type], reader: _Reader) -> None:
    for cls in classes:
        _READERS[cls] = reader
    register(*classes)(assemble_probed_encoder)


_ce = optional_module("category_encoders")
if _ce is not None:
    _register([getattr(_ce, n) for n in _CE_NAMES], _Reader(lambda est: list(est.cols), _ce_categories))

_fe = optional_module("feature_engine.encoding")
if _fe is not None:
    _register([getattr(_fe, n) for n in _FE_NAMES], _Reader(lambda est: list(est.variables_), _fe_categories))
