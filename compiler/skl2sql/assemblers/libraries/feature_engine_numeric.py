"""feature_engine's numeric transformers, registered when it is installed: the variable
transformations, MeanNormalizationScaler, the discretisers and the feature-creation transformers.
(Its imputers, cappers and selectors are in :mod:`feature_engine_transformers`, its encoders in
:mod:`probed_encoders`.)

Each works on its ``variables_`` and passes the other columns through; the output columns are
``get_feature_names_out()``, read by name. Semantics from feature_engine's ``transform``:

- **Refused rows.** Every one of these checks its variables for NaN and infinity first and raises
  (MathFeatures and RelativeFeatures only with ``missing_values='raise'``, their default); so do
  the domain checks (LogTransformer of a value <= 0, LogCpTransformer of ``x + C <= 0``,
  ReciprocalTransformer of 0, BoxCoxTransformer of a value <= 0, ArcsinTransformer outside
  [0, 1], RelativeFeatures dividing by a zero reference without ``fill_value``,
  ArbitraryDiscretiser with ``errors='raise'`` and a value outside its limits). Such a row is NULL
  in every output (one flag column, ``Context.guard``), as the package does wherever the library
  would raise.
- **Cells.** A value NumPy makes infinite or NaN from a finite input (an overflowing power or
  reciprocal, a negative base to a fractional power) is NULL in that cell, the package-wide rule.
- LogTransformer: ``ln(x)``, base 10 as ``ln(x) / ln(10)`` (within 2 ulp of ``np.log10``);
  LogCpTransformer: ``ln(x + C)``; PowerTransformer: ``np.power(x, exp)``; BoxCox/YeoJohnson:
  SciPy's formulas (shared with scikit-learn's PowerTransformer, :mod:`transforms`);
  ArcsinTransformer: ``asin(sqrt(x))``; ArcSinhTransformer: ``asinh((x - loc) / scale)``, written
  ``sign(z) * ln(|z| + sqrt(z² + 1))`` (``ln(2|z|)`` beyond 1e150, where the square overflows;
  within a few ulps absolute of ``np.arcsinh``; MySQL/MariaDB have no ASINH).
- MeanNormalizationScaler: ``(x - mean_) / range_``.
- Discretisers (EqualWidth, EqualFrequency, GeometricWidth, Arbitrary): ``pd.cut(x, edges,
  labels=False, include_lowest=True)``: the interval number of right-closed intervals, the first
  one closed on the left too; outside the edges NULL. ``return_object`` and ``return_boundaries``
  (text outputs) are refused. DecisionTreeDiscretiser: each variable's tree (its prediction, or
  the interval number between its thresholds).
- CyclicalFeatures: ``sin(x * (2π / max))`` and ``cos(...)`` with the factor computed in Python
  as feature_engine does.
- RelativeFeatures: ``add``, ``sub``, ``mul``, ``div``/``truediv`` (a zero reference gives
  ``fill_value``) of each variable with each reference, in feature_engine's column order;
  ``floordiv``, ``mod`` and ``pow`` are refused (NumPy's floored division rounds differently
  from ``floor(a / b)``).
- MathFeatures: ``sum``, ``mean``, ``prod``, ``min``, ``max``, ``std``, ``var`` (pandas' row
  aggregations: sample statistics with ``ddof=1``, sums left to right; under
  ``missing_values='ignore'`` NULLs are skipped as pandas skips NaN: an all-NULL sum is 0, a
  product 1, a mean, minimum or maximum NULL). Other functions are refused.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ...errors import UnsupportedEstimatorError
from ...ir import And, Case, Compare, CompareOp, Expr, Func, IsNull, Not, Or, add, case, div, lit, mul, sub, total
from ..context import Context
from ..interface import Feature
from ..refusals import inside_doubles
from ..registry import optional_module, register
from ..scikit_learn.transforms import boxcox, log10, reciprocal, yeojohnson
from ..scikit_learn.trees import classifier_leaf_proba, float32_guard, sklearn_tree_exprs
from ..shared.prep_common import power_or_null
from .feature_engine_transformers import columns_by_name, named_outputs

__all__: list[str] = []

#: Beyond this ``z * z`` overflows; ``asinh(z)`` is ``ln(2z)`` to double precision there.
_ASINH_LARGE = 1e150


def _name(est: Any) -> str:
    return type(est).__name__


def _numbers(columns: dict[str, Expr], names: list[str], ctx: Context, hint: str) -> dict[str, Expr]:
    """The variables as doubles, one stage (each is read by the row check and the transform)."""
    reads = ctx.materialize([ctx.number(columns[n], finite=False) for n in names], hint)
    return dict(zip(names, reads, strict=True))


def _refuse_rows(est: Any, outputs: list[Feature], checks: list[Expr], ctx: Context) -> list[Feature]:
    """Every output NULL where a check is not true (feature_engine raises for the batch)."""
    if not checks:
        return outputs
    cond = And(tuple(checks)) if len(checks) > 1 else checks[0]
    guarded = ctx.refuse_unless(cond, [f.expr for f in outputs], "fe_ok")
    return [Feature(e, f.name) for f, e in zip(outputs, guarded, strict=True)]


def _variables(est: Any) -> list[str]:
    return [str(v) for v in est.variables_]


# --- variable transformations and scaling -------------------------------------------------------


def _asinh(z: Expr) -> Expr:
    """``np.arcsinh(z)`` from ln and sqrt, odd-symmetric so negative values do not cancel."""
    a = Func("abs", (z,))
    small = Func("ln", (add(a, Func("sqrt", (add(mul(a, a), lit(1.0)),))),))
    large = add(Func("ln", (a,)), lit(math.log(2.0)))
    magnitude = Case(((Compare(">", a, lit(_ASINH_LARGE)), large),), small)
    return Case(((Compare("<", z, lit(0.0)), mul(lit(-1.0), magnitude)),), magnitude)


def _per_variable(est: Any, attribute: str, var: str) -> float:
    """A fitted constant that is a number or a per-variable dict (LogCpTransformer's ``C_``)."""
    value = getattr(est, attribute)
    if isinstance(value, dict):
        value = value[var] if var in value else value[next(k for k in value if str(k) == var)]
    return float(value)


#: Per class name: (the value of a variable, the check feature_engine raises on, or None).
_Transform = Callable[[Any, str, Expr, Context], tuple[Expr, Expr | None]]


def _log(est: Any, var: str, x: Expr, ctx: Context) -> tuple[Expr, Expr | None]:
    positive = Case(((Compare(">", x, lit(0.0)), x),), None)
    value = Func("ln", (positive,)) if str(est.base) == "e" else log10(x, ctx)
    return value, Compare(">", x, lit(0.0))


def _log_cp(est: Any, var: str, x: Expr, ctx: Context) -> tuple[Expr, Expr | None]:
    shifted = add(x, lit(_per_variable(est, "C_", var)))
    positive = Case(((Compare(">", shifted, lit(0.0)), shifted),), None)
    value = Func("ln", (positive,)) if str(est.base) == "e" else log10(positive, ctx)
    return value, Compare(">", shifted, lit(0.0))


def _reciprocal(est: Any, var: str, x: Expr, ctx: Context) -> tuple[Expr, Expr | None]:
    return reciprocal(x, ctx), Compare("!=", x, lit(0.0))


def _power(est: Any, var: str, x: Expr, ctx: Context) -> tuple[Expr, Expr | None]:
    return power_or_null(x, float(est.exp)), None


def _boxcox(est: Any, var: str, x: Expr, ctx: Context) -> tuple[Expr, Expr | None]:
    positive = Case(((Compare(">", x, lit(0.0)), x),), None)
    return boxcox(positive, float(est.lambda_dict_[var]), ctx), Compare(">", x, lit(0.0))


def _yeojohnson(est: Any, var: str, x: Expr, ctx: Context) -> tuple[Expr, Expr | None]:
    return yeojohnson(x, float(est.lambda_dict_[var]), ctx), None


def _arcsin(est: Any, var: str, x: Expr, ctx: Context) -> tuple[Expr, Expr | None]:
    inside = And((Compare(">=", x, lit(0.0)), Compare("<=", x, lit(1.0))))
    value = Func("asin", (Func("sqrt", (Case(((inside, x),), None),)),))
    return value, inside


def _arcsinh(est: Any, var: str, x: Expr, ctx: Context) -> tuple[Expr, Expr | None]:
    z = ctx.materialize([div(sub(x, lit(float(est.loc))), lit(float(est.scale)))], "fe_z")[0]
    return _asinh(z), None


def _mean_normalization(est: Any, var: str, x: Expr, ctx: Context) -> tuple[Expr, Expr | None]:
    return div(sub(x, lit(float(est.mean_[var]))), lit(float(est.range_[var]))), None


_TRANSFORMS: dict[str, _Transform] = {
    "LogTransformer": _log,
    "LogCpTransformer": _log_cp,
    "ReciprocalTransformer": _reciprocal,
    "PowerTransformer": _power,
    "BoxCoxTransformer": _boxcox,
    "YeoJohnsonTransformer": _yeojohnson,
    "ArcsinTransformer": _arcsin,
    "ArcSinhTransformer": _arcsinh,
    "MeanNormalizationScaler": _mean_normalization,
}


def assemble_variable_transform(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    """One formula per variable; a NaN, an infinity or a value outside the formula's domain in
    any variable refuses the row."""
    transform = _TRANSFORMS[_name(est)]
    columns = {n: f.expr for n, f in columns_by_name(est, features).items()}
    names = _variables(est)
    xs = _numbers(columns, names, ctx, "fe_x")
    checks: list[Expr] = []
    for n in names:
        value, domain = transform(est, n, xs[n], ctx)
        columns[n] = value
        checks.append(inside_doubles(xs[n]))
        if domain is not None:
            checks.append(domain)
    return _refuse_rows(est, named_outputs(est, columns), checks, ctx)


# --- discretisers -------------------------------------------------------------------------------


def _edges(est: Any, var: str) -> list[float]:
    edges = [float(e) for e in est.binner_dict_[var]]
    if len(edges) < 2 or any(not a < b for a, b in zip(edges, edges[1:], strict=False)):
        raise UnsupportedEstimatorError(f"{_name(est)}: the bin edges of {var!r} are not strictly increasing: {edges}")
    if any(math.isnan(e) for e in edges) or edges[0] == math.inf or edges[-1] == -math.inf:
        raise UnsupportedEstimatorError(f"{_name(est)}: unusable bin edges for {var!r}: {edges}")
    return edges


def _interval(x: Expr, edges: list[float]) -> Expr:
    """``pd.cut(x, edges, labels=False, include_lowest=True)`` for a finite ``x``: ``i`` on
    ``(e_i, e_{i+1}]``, 0 on ``[e_0, e_1]``, NULL outside."""
    whens: list[tuple[Expr, Expr]] = []
    if edges[0] != -math.inf:
        whens.append((Compare("<", x, lit(edges[0])), lit(None)))
    last = len(edges) - 2
    for i, upper in enumerate(edges[1:]):
        if i == last and upper == math.inf:
            return case(whens, lit(i))
        whens.append((Compare("<=", x, lit(upper)), lit(i)))
    return case(whens, None)


def assemble_discretiser(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    """Each variable replaced by its interval number; NaN or infinity refuses the row, and so
    does a value outside ArbitraryDiscretiser's limits under ``errors='raise'``."""
    if getattr(est, "return_boundaries", False) or getattr(est, "return_object", False):
        raise UnsupportedEstimatorError(
            f"{_name(est)}(return_boundaries=True or return_object=True) is not supported: "
            "the SQL gives the interval numbers"
        )
    columns = {n: f.expr for n, f in columns_by_name(est, features).items()}
    names = _variables(est)
    xs = _numbers(columns, names, ctx, "fe_x")
    checks: list[Expr] = [inside_doubles(xs[n]) for n in names]
    raise_outside = getattr(est, "errors", "ignore") == "raise"
    for n in names:
        edges = _edges(est, n)
        columns[n] = _interval(xs[n], edges)
        if raise_outside:
            checks.append(And((Compare(">=", xs[n], lit(edges[0])), Compare("<=", xs[n], lit(edges[-1])))))
    return _refuse_rows(est, named_outputs(est, columns), checks, ctx)


def assemble_tree_discretiser(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    """DecisionTreeDiscretiser: with ``bin_output='prediction'`` each variable becomes its tree's
    prediction (a regressor's value, a classifier's probability of its second class), rounded
    to ``precision`` decimals by NumPy at compile time since the values are the leaves';
    ``'bin_number'``: the interval between the sorted split thresholds, as the other
    discretisers (``pd.cut`` of the float64 value, not the tree's float32 comparison).
    NaN or infinity refuses the row, and so does a value beyond float32's range, which the tree's
    ``predict`` refuses."""
    if est.bin_output == "boundaries":
        raise UnsupportedEstimatorError("DecisionTreeDiscretiser(bin_output='boundaries') is not supported: text output")
    columns = {n: f.expr for n, f in columns_by_name(est, features).items()}
    names = _variables(est)
    xs = _numbers(columns, names, ctx, "fe_x")
    checks: list[Expr] = [inside_doubles(xs[n]) for n in names]
    for n in names:
        if est.bin_output == "bin_number":
            columns[n] = _interval(xs[n], _edges(est, n))
            continue
        search = est.binner_dict_[n]
        model = getattr(search, "best_estimator_", search)
        tree = model.tree_
        if est.regression:
            values = np.asarray(tree.value[:, 0, 0], dtype=np.float64)
        else:
            values = classifier_leaf_proba(tree, len(model.classes_))[:, 1]
        if est.precision is not None:
            values = np.round(values, est.precision)
        columns[n] = sklearn_tree_exprs(tree, [xs[n]], values)[0]
        checks.append(float32_guard([xs[n]], allow_null=False))
    return _refuse_rows(est, named_outputs(est, columns), checks, ctx)


# --- feature creation ---------------------------------------------------------------------------


def assemble_cyclical(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    """``<var>_sin`` and ``<var>_cos``; NaN or infinity in a variable refuses the row."""
    columns = {n: f.expr for n, f in columns_by_name(est, features).items()}
    names = _variables(est)
    xs = _numbers(columns, names, ctx, "fe_x")
    for n in names:
        factor = 2.0 * np.pi / est.max_values_[n]
        angle = ctx.materialize([mul(xs[n], lit(float(factor)))], "fe_angle")[0]
        # an angle NumPy overflows to inf has a NaN sine; engines raise on sin(inf)
        finite = Case(((inside_doubles(angle), angle),), None)
        columns[f"{n}_sin"] = Func("sin", (finite,))
        columns[f"{n}_cos"] = Func("cos", (finite,))
    return _refuse_rows(est, named_outputs(est, columns), [inside_doubles(xs[n]) for n in names], ctx)


def _missing_checks(est: Any, reads: list[Expr]) -> list[Expr]:
    """``missing_values='raise'``: NaN or infinity in any variable refuses the row."""
    if est.missing_values == "raise":
        return [inside_doubles(x) for x in reads]
    return []


_RELATIVE = {"add": "+", "sub": "-", "mul": "*", "div": "/", "truediv": "/"}


def assemble_relative(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    """Each variable combined with each reference, function by function, in feature_engine's
    order (``<var>_<func>_<reference>``)."""
    refused = [f for f in est.func if f not in _RELATIVE]
    if refused:
        raise UnsupportedEstimatorError(
            f"RelativeFeatures(func={refused}) is not supported; supported: {', '.join(_RELATIVE)}"
        )
    columns = {n: f.expr for n, f in columns_by_name(est, features).items()}
    variables = [str(v) for v in est.variables]
    references = [str(r) for r in est.reference]
    used = list(dict.fromkeys([*variables, *references]))
    xs = _numbers(columns, used, ctx, "fe_x")
    checks = _missing_checks(est, [xs[n] for n in used])
    fill = est.fill_value
    for func in est.func:
        op = _RELATIVE[func]
        for ref in references:
            r = xs[ref]
            if op == "/":
                if fill is None:  # a zero (not a NULL) reference raises
                    checks.append(Or((IsNull(r), Compare("!=", r, lit(0.0)))))
                zero = Compare("=", r, lit(0.0))
                filled = lit(None) if fill is None else lit(float(fill))
                for v in variables:
                    columns[f"{v}_{func}_{ref}"] = Case(((zero, filled),), div(xs[v], r))
            else:
                for v in variables:
                    columns[f"{v}_{func}_{ref}"] = _arith(op, xs[v], r)
    # get_feature_names_out keeps the references that drop_original drops (feature_engine 1.9)
    dropped = set(used) if est.drop_original else set()
    names = [str(n) for n in est.get_feature_names_out() if str(n) not in dropped]
    return _refuse_rows(est, named_outputs(est, columns, names), checks, ctx)


def _arith(op: str, a: Expr, b: Expr) -> Expr:
    if op == "+":
        return add(a, b)
    if op == "-":
        return sub(a, b)
    return mul(a, b)


_MATH = ("sum", "mean", "prod", "min", "max", "std", "var")


def _math_function(est: Any, func: Any) -> str:
    """A function name of :data:`_MATH`; NumPy's callables of the same names are accepted under
    ``missing_values='raise'``, where pandas' NaN-skipping makes no difference."""
    if isinstance(func, str) and func in _MATH:
        return func
    name = getattr(func, "__name__", None)
    if callable(func) and est.missing_values == "raise" and name in ("sum", "mean", "prod", "min", "max", "amin", "amax"):
        if getattr(np, str(name), None) is func:
            return {"amin": "min", "amax": "max"}.get(str(name), str(name))
    raise UnsupportedEstimatorError(
        f"MathFeatures(func={getattr(func, '__name__', func)!r}) is not supported; supported: {', '.join(_MATH)}"
    )


def _present(x: Expr) -> Expr:
    return Not(IsNull(x))


def _extreme(values: list[Expr], op: CompareOp, ctx: Context) -> Expr:
    """The minimum (``op='<'``) or maximum (``'>'``) of the non-NULL values, NULL when all are
    NULL, one stage per step (each step reads the running value three times)."""
    best = values[0]
    for v in values[1:]:
        best = ctx.materialize([Case(((Or((IsNull(best), Compare(op, v, best))), v),), best)], "fe_m")[0]
    return best


def _aggregate(func: str, xs: list[Expr], ctx: Context) -> Expr:
    """pandas' ``DataFrame.agg(func, axis=1)`` over ``xs`` with NaN skipped (NULLs read as
    absent; under ``missing_values='raise'`` there are none)."""
    if func == "sum":
        return total([Case(((IsNull(x), lit(0.0)),), x) for x in xs])
    if func == "prod":
        out: Expr = Case(((IsNull(xs[0]), lit(1.0)),), xs[0])
        for x in xs[1:]:
            out = mul(out, Case(((IsNull(x), lit(1.0)),), x))
        return out
    if func in ("min", "max"):
        return _extreme(xs, "<" if func == "min" else ">", ctx)
    count = ctx.materialize([total([Case(((_present(x), lit(1.0)),), lit(0.0)) for x in xs])], "fe_n")[0]
    summed = total([Case(((IsNull(x), lit(0.0)),), x) for x in xs])
    mean = ctx.materialize([Case(((Compare(">", count, lit(0.0)), div(summed, count)),), None)], "fe_mean")[0]
    if func == "mean":
        return mean
    squares = total([Case(((_present(x), mul(sub(mean, x), sub(mean, x))),), lit(0.0)) for x in xs])
    var = Case(((Compare(">", count, lit(1.0)), div(squares, sub(count, lit(1.0)))),), None)
    if func == "var":
        return var
    return Func("sqrt", (var,))


def assemble_math_features(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    """One new column per function, named as feature_engine names them."""
    funcs = list(est.func) if isinstance(est.func, list) else [est.func]
    names = [_math_function(est, f) for f in funcs]
    columns = {n: f.expr for n, f in columns_by_name(est, features).items()}
    variables = [str(v) for v in est.variables]
    xs = _numbers(columns, variables, ctx, "fe_x")
    reads = [xs[v] for v in variables]
    new_names = [str(n) for n in est._get_new_features_name()]
    if len(new_names) != len(names):
        raise UnsupportedEstimatorError(f"MathFeatures: {len(new_names)} new column names for {len(names)} functions")
    for new, func in zip(new_names, names, strict=True):
        columns[new] = _aggregate(func, reads, ctx)
    return _refuse_rows(est, named_outputs(est, columns), _missing_checks(est, reads), ctx)


_transformation = optional_module("feature_engine.transformation")
_scaling = optional_module("feature_engine.scaling")
_discretisation = optional_module("feature_engine.discretisation")
_creation = optional_module("feature_engine.creation")
if _transformation is not None and _discretisation is not None and _creation is not None:
    __all__ = [
        "assemble_variable_transform",
        "assemble_discretiser",
        "assemble_tree_discretiser",
        "assemble_cyclical",
        "assemble_relative",
        "assemble_math_features",
    ]
    register(
        *(
            getattr(module, name)
            for module in (_transformation, _scaling)
            if module is not None
            for name in _TRANSFORMS
            if hasattr(module, name)
        )
    )(assemble_variable_transform)
    register(
        *(
            getattr(_discretisation, name)
            for name in (
                "EqualWidthDiscretiser",
                "EqualFrequencyDiscretiser",
                "GeometricWidthDiscretiser",
                "ArbitraryDiscretiser",
            )
            if hasattr(_discretisation, name)
        )
    )(assemble_discretiser)
    register(_discretisation.DecisionTreeDiscretiser)(assemble_tree_discretiser)
    register(_creation.CyclicalFeatures)(assemble_cyclical)
    register(_creation.RelativeFeatures)(assemble_relative)
    register(_creation.MathFeatures)(assemble_math_features)
