"""Categorical encoders: OneHotEncoder, OrdinalEncoder, TargetEncoder.

Each input column is matched against the fitted ``categories_`` and turned into a *lookup*: one
``CASE`` whose branches test ``x = 'cat'`` (or ``x IN (...)`` for categories that share an
output, such as infrequent ones), then ``x IS NULL`` when a missing value was a category at fit,
then an ``ELSE`` for everything else (an *unknown* category). The encoders differ only in what each
category and the unknown branch map to, which is read from the fitted attributes exactly as
sklearn's ``transform`` uses them (infrequent grouping, dropped columns, missing-value codes).

Why the comparisons are exact:

- Text categories are compared as text with ``=``; the lowering makes string equality byte-exact
  in engines whose default collation is not (MySQL/MariaDB, SQL Server; see ``dialects.py``).
- Numeric categories are compared as numbers (the input cast to DOUBLE), which is what NumPy's
  ``==`` does: an integer category ``3`` matches a scored ``3.0``, as in sklearn.
- SQL has one NULL where Python has both ``None`` and ``NaN``; a NULL input matches whichever
  missing marker was a category at fit. A fit that saw both cannot be compiled (SQL cannot tell
  them apart) and is refused.

Rows sklearn refuses (an unknown category under ``handle_unknown='error'``) give NULL in *every*
output of the encoder, because sklearn raises for the whole row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, TargetEncoder

from ...errors import UnsupportedEstimatorError
from ...ir import And, Case, Compare, Expr, InList, IsNull, Not, Or, case, lit
from ..context import Context
from ..interface import Feature
from ..registry import register
from ..shared.one_hot import indicator

__all__ = [
    "CategorySpec",
    "category_spec",
    "category_lookup",
    "is_missing",
    "assemble_one_hot_encoder",
    "assemble_ordinal_encoder",
    "assemble_target_encoder",
]

#: Integers beyond this lose exactness as DOUBLE, so they cannot be compared after the cast.
_MAX_EXACT_INT = 2**53


@dataclass(frozen=True)
class CategorySpec:
    """One input column's fitted categories, in ``categories_`` order, as SQL compares them.

    ``values[j]`` is the j-th category as a Python ``str``/``int``/``float`` (None at the missing
    index); ``kind`` says whether the column is compared as text or as a number; ``missing`` is
    the index of the missing-value category (``None``/``NaN`` at fit), if any.
    """

    values: tuple[str | int | float | None, ...]
    kind: Literal["text", "number"]
    missing: int | None


def is_missing(v: Any) -> bool:
    """None or a NaN: what pandas and sklearn read as a missing category."""
    return v is None or (isinstance(v, (float, np.floating)) and bool(np.isnan(v)))


def category_spec(est: Any, categories: Sequence[Any], feature: str) -> CategorySpec:
    """Read one ``categories_[i]`` array, refusing what SQL cannot compare exactly."""
    name = type(est).__name__
    values: list[str | int | float | None] = []
    kinds: set[str] = set()
    missing: int | None = None
    for j, v in enumerate(categories):
        if is_missing(v):
            if missing is not None:
                raise UnsupportedEstimatorError(
                    f"{name}: column {feature!r} has both None and NaN as categories; SQL has a "
                    "single NULL and cannot tell them apart"
                )
            missing = j
            values.append(None)
            continue
        if isinstance(v, (str, np.str_)):
            kinds.add("text")
            values.append(str(v))
        elif isinstance(v, (bool, np.bool_)):
            kinds.add("number")
            values.append(int(v))
        elif isinstance(v, (int, np.integer)):
            if abs(int(v)) > _MAX_EXACT_INT:
                raise UnsupportedEstimatorError(
                    f"{name}: column {feature!r} has the integer category {int(v)}, too large to "
                    "compare exactly as a DOUBLE"
                )
            kinds.add("number")
            values.append(int(v))
        elif isinstance(v, (float, np.floating)):
            kinds.add("number")
            values.append(float(v))
        else:
            raise UnsupportedEstimatorError(
                f"{name}: column {feature!r} has a category of type {type(v).__name__} "
                f"({v!r}); only text and numbers compile"
            )
    if len(kinds) > 1:
        raise UnsupportedEstimatorError(
            f"{name}: column {feature!r} mixes text and numeric categories"
        )
    kind: Literal["text", "number"] = "text" if kinds == {"text"} else "number"
    return CategorySpec(tuple(values), kind, missing)


def _item(x: Expr, spec: CategorySpec, ctx: Context) -> Expr:
    """The expression categories are compared with: the input as a number for numeric
    categories, the raw text otherwise."""
    return ctx.number(x) if spec.kind == "number" else x


def _matches(item: Expr, spec: CategorySpec, indices: Sequence[int]) -> Expr | None:
    """True when ``item`` is one of the categories at ``indices``; NULL (not true) for a NULL
    input, except that the missing category matches ``IS NULL``."""
    lits = [lit(spec.values[j]) for j in indices if j != spec.missing]
    parts: list[Expr] = []
    if len(lits) == 1:
        parts.append(Compare("=", item, lits[0]))
    elif lits:
        parts.append(InList(item, tuple(lits)))
    if spec.missing is not None and spec.missing in indices:
        parts.append(IsNull(item))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Or(tuple(parts))


def category_lookup(
    x: Expr, spec: CategorySpec, ctx: Context, values: Sequence[Expr], unknown: Expr | None
) -> Expr:
    """``CASE`` mapping each category to ``values[j]`` and anything else to ``unknown``
    (``None``: NULL). Categories mapping to the same value share one ``IN`` test."""
    item = _item(x, spec, ctx)
    groups: dict[Expr, list[int]] = {}
    for j, v in enumerate(values):
        groups.setdefault(v, []).append(j)
    whens: list[tuple[Expr, Expr]] = []
    # Missing first: a NULL input then never reaches the IN tests, and reads naturally.
    ordered = sorted(groups.items(), key=lambda kv: spec.missing not in kv[1])
    for value, idx in ordered:
        if unknown is not None and value == unknown or unknown is None and value == lit(None):
            continue  # the ELSE gives the same value
        cond = _matches(item, spec, idx)
        if cond is not None:
            whens.append((cond, value))
    return case(whens, unknown)


def _known(x: Expr, spec: CategorySpec, ctx: Context) -> Expr:
    """True when ``x`` is any fitted category (a NULL input only if missing was a category)."""
    cond = _matches(_item(x, spec, ctx), spec, range(len(spec.values)))
    return cond if cond is not None else Compare("=", lit(1), lit(0))


def _row_guard(conds: list[Expr], ctx: Context) -> Expr | None:
    """One condition that is true when every input column is known (``handle_unknown='error'``
    refuses the whole row otherwise). Several columns: computed once as a 1/NULL flag."""
    if not conds:
        return None
    if len(conds) == 1:
        return conds[0]
    flag = ctx.materialize([Case(((And(tuple(conds)), lit(1)),), None)], "known")[0]
    return Compare("=", flag, lit(1))


def _names_out(est: Any, features: list[Feature]) -> list[str]:
    try:
        return [str(n) for n in est.get_feature_names_out([f.name for f in features])]
    except ValueError:  # fitted with other column names (a renamed pipeline input)
        return [str(n) for n in est.get_feature_names_out()]


def _check_width(est: Any, features: list[Feature]) -> None:
    if len(features) != len(est.categories_):
        raise UnsupportedEstimatorError(
            f"{type(est).__name__} was fitted on {len(est.categories_)} columns, got {len(features)}"
        )


# ---------------------------------------------------------------------------------------------
# OneHotEncoder
# ---------------------------------------------------------------------------------------------


def _infrequent_mapping(est: Any, i: int) -> Any:
    """sklearn's map from category index to grouped index (infrequent ones share the last), or
    None when feature ``i`` has no infrequent categories."""
    if not getattr(est, "_infrequent_enabled", False):
        return None
    return est._default_to_infrequent_mappings[i]


def _one_hot_codes(est: OneHotEncoder, i: int, n_cats: int) -> tuple[list[int], int | None]:
    """Output column (within feature ``i``'s block) of each category, -1 for none (dropped), and
    the column of an unknown category (-1: all zeros; None: the row is refused).

    Mirrors ``OneHotEncoder.transform``: infrequent grouping, then the drop of the grouped index
    (``_drop_idx_after_grouping``) with later columns shifted left."""
    mapping = _infrequent_mapping(est, i)
    drops = est._drop_idx_after_grouping
    drop = None if drops is None or drops[i] is None else int(drops[i])

    def after_drop(g: int) -> int:
        if drop is None:
            return g
        if g == drop:
            return -1
        return g - 1 if g > drop else g

    codes = [after_drop(int(mapping[j]) if mapping is not None else j) for j in range(n_cats)]
    hu = est.handle_unknown
    if hu == "error":
        return codes, None
    infrequent = est._infrequent_indices[i] if getattr(est, "_infrequent_enabled", False) else None
    if hu in ("infrequent_if_exist", "warn") and infrequent is not None:
        return codes, after_drop(int(mapping[int(infrequent[0])]))
    return codes, -1


@register(OneHotEncoder)
def assemble_one_hot_encoder(est: OneHotEncoder, features: list[Feature], ctx: Context) -> list[Feature]:
    """One 1.0/0.0 column per output of ``get_feature_names_out``.

    Each column's category code (its output column, -1 for none, NULL for a refused unknown) is
    computed once; the outputs compare that small integer."""
    _check_width(est, features)
    specs = [category_spec(est, c, f.name) for c, f in zip(est.categories_, features, strict=True)]
    codes: list[Expr] = []
    for i, (f, spec) in enumerate(zip(features, specs, strict=True)):
        per_cat, unknown = _one_hot_codes(est, i, len(spec.values))
        code = category_lookup(
            f.expr, spec, ctx, [lit(c) for c in per_cat], None if unknown is None else lit(unknown)
        )
        codes.append(code)
    codes = ctx.materialize(codes, "ohe_code")
    refusing = est.handle_unknown == "error"
    guard = _row_guard([Not(IsNull(c)) for c in codes], ctx) if refusing else None
    single = len(codes) == 1
    exprs: list[Expr] = []
    for i, code in enumerate(codes):
        for k in range(int(est._n_features_outs[i])):
            hit: Expr = Compare("=", code, lit(k))
            if guard is None:
                exprs.append(indicator(code, k))
            else:
                hit = hit if single else And((hit, guard))
                exprs.append(Case(((hit, lit(1.0)), (guard, lit(0.0))), None))
    names = _names_out(est, features)
    if len(names) != len(exprs):
        raise UnsupportedEstimatorError(
            f"OneHotEncoder: {len(exprs)} outputs assembled but get_feature_names_out has {len(names)}"
        )
    return [Feature(e, n) for e, n in zip(exprs, names, strict=True)]


# ---------------------------------------------------------------------------------------------
# OrdinalEncoder
# ---------------------------------------------------------------------------------------------


def _in_dtype(value: Any, dtype: Any) -> Expr:
    """``value`` as sklearn stores it in the output array (``X_int.astype(dtype)``); NaN is NULL."""
    v = np.asarray(value).astype(dtype).item()
    if is_missing(v):
        return lit(None)
    return lit(float(v))


@register(OrdinalEncoder)
def assemble_ordinal_encoder(est: OrdinalEncoder, features: list[Feature], ctx: Context) -> list[Feature]:
    """One code per column, as ``OrdinalEncoder.transform``: the category's index (after
    infrequent grouping, which skips the missing category), ``encoded_missing_value`` for the
    missing category (only NaN counts as missing here: a ``None`` category is an ordinary one, as in
    sklearn), ``unknown_value`` or a refused row (NULL) for anything else."""
    _check_width(est, features)
    dtype = est.dtype
    missing_indices: dict[int, int] = dict(getattr(est, "_missing_indices", {}) or {})
    refusing = est.handle_unknown == "error"
    specs = [category_spec(est, c, f.name) for c, f in zip(est.categories_, features, strict=True)]
    exprs: list[Expr] = []
    known: list[Expr] = []
    for i, (f, spec) in enumerate(zip(features, specs, strict=True)):
        mapping = _infrequent_mapping(est, i)
        values: list[Expr] = []
        for j in range(len(spec.values)):
            if missing_indices.get(i) == j:
                values.append(_in_dtype(est.encoded_missing_value, dtype))
            else:
                values.append(_in_dtype(int(mapping[j]) if mapping is not None else j, dtype))
        unknown = None if refusing else _in_dtype(est.unknown_value, dtype)
        exprs.append(category_lookup(f.expr, spec, ctx, values, unknown))
        if refusing:
            known.append(_known(f.expr, spec, ctx))
    if refusing and len(exprs) > 1:
        # Each column's own ELSE is NULL already; the guard nulls the other columns of the row.
        guard = _row_guard(known, ctx)
        assert guard is not None
        exprs = [Case(((guard, e),), None) for e in exprs]
    return [Feature(e, n) for e, n in zip(exprs, _names_out(est, features), strict=True)]


# ---------------------------------------------------------------------------------------------
# TargetEncoder
# ---------------------------------------------------------------------------------------------


@register(TargetEncoder)
def assemble_target_encoder(est: TargetEncoder, features: list[Feature], ctx: Context) -> list[Feature]:
    """``TargetEncoder.transform``: each category's learnt encoding (``encodings_``), and
    ``target_mean_`` for an unknown category (including NULL when missing was not seen at fit).

    Parity is with ``transform``; ``fit_transform`` cross-fits (each training row is encoded by
    the other folds) and is not a function of the row, so no SQL could reproduce it. Multiclass
    targets give one column per (feature, class), feature-major, as sklearn."""
    _check_width(est, features)
    specs = [category_spec(est, c, f.name) for c, f in zip(est.categories_, features, strict=True)]
    exprs: list[Expr] = []
    if est.target_type_ == "multiclass":
        n_classes = len(est.classes_)
        means = np.asarray(est.target_mean_, dtype=np.float64)
        # Codes of every column in one stage: each is read once per class.
        codes = ctx.materialize(
            [
                category_lookup(f.expr, spec, ctx, [lit(j) for j in range(len(spec.values))], lit(-1))
                for f, spec in zip(features, specs, strict=True)
            ],
            "te_code",
        )
        for i, (code, spec) in enumerate(zip(codes, specs, strict=True)):
            n = len(spec.values)
            for k in range(n_classes):
                enc = np.asarray(est.encodings_[i * n_classes + k], dtype=np.float64)
                whens: list[tuple[Expr, Expr]] = [(Compare("=", code, lit(j)), lit(float(enc[j]))) for j in range(n)]
                exprs.append(Case(tuple(whens), lit(float(means[k]))))
    else:
        mean = lit(float(est.target_mean_))
        for i, (f, spec) in enumerate(zip(features, specs, strict=True)):
            enc = np.asarray(est.encodings_[i], dtype=np.float64)
            exprs.append(category_lookup(f.expr, spec, ctx, [lit(float(v)) for v in enc], mean))
    return [Feature(e, n) for e, n in zip(exprs, _names_out(est, features), strict=True)]
