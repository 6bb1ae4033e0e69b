"""feature_engine's imputers, outlier cappers, selectors and SklearnTransformerWrapper,
registered when it is installed (its categorical encoders are in :mod:`probed_encoders`, its
numeric transformers in :mod:`feature_engine_numeric`). AddMissingIndicator is not: it keeps no
record of which variables are numeric, so a NaN stored in a float column could not be told from
a number in SQL without casting text columns too.

Each works column by column on its ``variables_`` and passes the other columns through; the
output columns are ``get_feature_names_out()``, read by name. Semantics from feature_engine's
``transform``:

- MeanMedianImputer, ArbitraryNumberImputer, EndTailImputer, CategoricalImputer:
  ``fillna(imputer_dict_)``: a NULL (or stored NaN) becomes the fitted value; an infinity stays.
- Winsorizer, ArbitraryOutlierCapper: ``clip(upper=right_tail_caps_)`` then
  ``clip(lower=left_tail_caps_)``; with ``missing_values='raise'`` (the default) a NaN or an
  infinity in a capped variable makes ``transform`` raise, so every output of the row is NULL;
  with ``'ignore'`` NULL stays NULL and an infinity is capped. ``add_indicators=True`` is refused.
- SklearnTransformerWrapper: the wrapped transformer on ``variables_``, its columns put back as
  the wrapper does (:func:`assemble_sklearn_wrapper`).
- DropFeatures and the selectors (DropConstantFeatures, DropCorrelatedFeatures,
  SmartCorrelatedSelection, RecursiveFeatureElimination, MRMR, ...: :data:`SELECTORS`): the columns
  not in ``features_to_drop_``.
"""

from __future__ import annotations

from typing import Any

from ...errors import UnsupportedEstimatorError
from ...ir import And, Case, Compare, Expr, IsNull, lit
from ..context import Context
from ..interface import Feature
from ..refusals import inside_doubles
from ..registry import optional_module, register, transform

__all__ = ["columns_by_name", "named_outputs", "SELECTORS"]


def columns_by_name(est: Any, features: list[Feature]) -> dict[str, Feature]:
    names = [str(n) for n in est.feature_names_in_]
    if len(names) != len(features):
        raise UnsupportedEstimatorError(f"{type(est).__name__} was fitted on {len(names)} columns, got {len(features)}")
    return dict(zip(names, features, strict=True))


def named_outputs(est: Any, columns: dict[str, Expr], names: list[str] | None = None) -> list[Feature]:
    """The columns ``get_feature_names_out`` names (or ``names``), in its order."""
    out = []
    for name in names if names is not None else [str(n) for n in est.get_feature_names_out()]:
        if name not in columns:
            raise UnsupportedEstimatorError(f"{type(est).__name__}: no SQL for its output column {name!r}")
        out.append(Feature(columns[name], name))
    return out


def _fill(value: Any) -> Expr:
    if isinstance(value, str):
        return lit(value)
    return lit(float(value))


def assemble_imputer(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    """``fillna(imputer_dict_)`` on each variable (text or number); infinity stays."""
    columns = {n: f.expr for n, f in columns_by_name(est, features).items()}
    for var, value in est.imputer_dict_.items():
        name = str(var)
        x = columns[name] if isinstance(value, str) else ctx.number(columns[name], finite=False)
        columns[name] = Case(((IsNull(x), _fill(value)),), x)
    return named_outputs(est, columns)


def assemble_capper(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    """Upper caps, then lower caps, per variable; rows feature_engine refuses are NULL."""
    if getattr(est, "add_indicators", False):
        raise UnsupportedEstimatorError(f"{type(est).__name__}(add_indicators=True) is not supported")
    columns = {n: f.expr for n, f in columns_by_name(est, features).items()}
    highs = {str(k): float(v) for k, v in est.right_tail_caps_.items()}
    lows = {str(k): float(v) for k, v in est.left_tail_caps_.items()}
    capped = [n for n in columns if n in highs or n in lows]
    reads = {n: ctx.number(columns[n], finite=False) for n in capped}
    for n in capped:
        x = reads[n]
        if n in highs:
            x = Case(((Compare(">", x, lit(highs[n])), lit(highs[n])),), x)
        if n in lows:
            x = Case(((Compare("<", x, lit(lows[n])), lit(lows[n])),), x)
        columns[n] = x
    out = named_outputs(est, columns)
    if getattr(est, "missing_values", "raise") != "raise" or not capped:
        return out
    # missing_values='raise': a NaN or an infinity in any capped variable refuses the batch (a
    # NULL makes the range check unknown, which the guard reads as refused too)
    finite = And(tuple(inside_doubles(reads[n]) for n in capped))
    return [Feature(e, f.name) for f, e in zip(out, ctx.refuse_unless(finite, [f.expr for f in out], "fe_ok"), strict=True)]


def assemble_drop_features(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    """The input columns ``get_feature_names_out`` keeps: every selector's ``transform`` is
    ``X[feature_names_in_].drop(columns=features_to_drop_)``."""
    return named_outputs(est, {n: f.expr for n, f in columns_by_name(est, features).items()})


#: SklearnTransformerWrapper's transformers that append their columns (the wrapped variables are
#: dropped first) and that select columns; every other one replaces its variables in place.
_APPENDING = ("OneHotEncoder", "PolynomialFeatures")


def assemble_sklearn_wrapper(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    """SklearnTransformerWrapper: the wrapped scikit-learn transformer compiled on
    ``variables_`` (any transformer skl2sql compiles), its output put back as the wrapper's
    ``transform`` does: appended after the other columns (OneHotEncoder, PolynomialFeatures, named
    by the transformer's ``get_feature_names_out``), the ``features_to_drop_`` dropped
    (selectors), or the variables replaced in place (scalers, imputers, ...)."""
    inner = est.transformer_
    kind = type(inner).__name__
    by_name = columns_by_name(est, features)
    if hasattr(est, "features_to_drop_"):  # a selector: the wrapper drops columns, nothing runs
        dropped = {str(n) for n in est.features_to_drop_}
        return [f for n, f in by_name.items() if n not in dropped]
    variables = [str(v) for v in est.variables_]
    outputs = transform(inner, [Feature(by_name[v].expr, v) for v in variables], ctx)
    if kind in _APPENDING:
        kept = [f for n, f in by_name.items() if n not in variables]
        names = [str(n) for n in inner.get_feature_names_out(est.variables_)]
        if len(names) != len(outputs):
            raise UnsupportedEstimatorError(f"SklearnTransformerWrapper({kind}): {len(outputs)} columns for {len(names)} names")
        result = kept + [Feature(o.expr, n) for o, n in zip(outputs, names, strict=True)]
    else:
        if len(outputs) != len(variables):
            raise UnsupportedEstimatorError(
                f"SklearnTransformerWrapper({kind}) gives {len(outputs)} columns for {len(variables)} variables"
            )
        replaced = dict(zip(variables, outputs, strict=True))
        result = [Feature(replaced[n].expr, n) if n in replaced else f for n, f in by_name.items()]
    # a wrapped transformer that refuses NaN registers the refusal itself, and the columns passed
    # through beside it are NULL too (refusals.guard_refusals)
    return result


#: feature_engine's selectors: each keeps the columns ``get_feature_names_out`` lists.
SELECTORS = (
    "DropFeatures",
    "DropConstantFeatures",
    "DropDuplicateFeatures",
    "DropCorrelatedFeatures",
    "SmartCorrelatedSelection",
    "DropHighPSIFeatures",
    "SelectByInformationValue",
    "SelectByShuffling",
    "SelectBySingleFeaturePerformance",
    "SelectByTargetMeanPerformance",
    "RecursiveFeatureElimination",
    "RecursiveFeatureAddition",
    "ProbeFeatureSelection",
    "MRMR",
)

_imputation = optional_module("feature_engine.imputation")
_outliers = optional_module("feature_engine.outliers")
_selection = optional_module("feature_engine.selection")
_wrappers = optional_module("feature_engine.wrappers")
if _imputation is not None and _outliers is not None and _selection is not None:
    __all__ += ["assemble_imputer", "assemble_capper", "assemble_drop_features", "assemble_sklearn_wrapper"]
    register(
        _imputation.MeanMedianImputer,
        _imputation.ArbitraryNumberImputer,
        _imputation.EndTailImputer,
        _imputation.CategoricalImputer,
    )(assemble_imputer)
    register(_outliers.Winsorizer, _outliers.ArbitraryOutlierCapper)(assemble_capper)
    if _wrappers is not None:
        register(_wrappers.SklearnTransformerWrapper)(assemble_sklearn_wrapper)
    # the selectors sharing BaseSelector.transform (names looked up: the set grows by release)
    register(
        *(
            getattr(_selection, name)
            for name in SELECTORS
            if hasattr(_selection, name)
        )
    )(assemble_drop_features)
