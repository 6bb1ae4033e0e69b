"""The explicit registry: estimator class -> assembler function.

Each family module (``linear``, ``preprocessing``, ``trees`` ...) registers its classes with
:func:`register`; :mod:`skl2sql.assemblers` imports every family module by name, so what is
supported is visible in one place and nothing is discovered by magic. Lookup is by exact class:
a subclass may change behaviour, so it is refused rather than guessed at.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

from ..errors import Skl2SqlError, UnsupportedEstimatorError
from ..ir import Expr
from .context import Context
from .interface import Feature, Prediction

__all__ = [
    "Assembler",
    "register",
    "register_transform",
    "register_inverse",
    "inverse_transform",
    "Inverse",
    "assemble",
    "transform",
    "predict",
    "supported_estimators",
    "optional_module",
]

Assembler = Callable[[Any, list[Feature], Context], "Prediction | list[Feature]"]
F = TypeVar("F", bound=Callable[..., Any])

_REGISTRY: dict[type, Assembler] = {}
#: Predictors that are also transformers (KMeans: distances to the centres; LDA: the projection):
#: their ``transform`` assembler, used where the estimator is a step inside a pipeline.
_TRANSFORMS: dict[type, Callable[[Any, list[Feature], Context], list[Feature]]] = {}


#: ``inverse_transform`` of one column, prepared for a fitted transformer: ``prepare(tr, ctx)``
#: checks what it can at once (raising for what cannot be inverted) and returns the function
#: writing the inverse of a column (TransformedTargetRegressor reads its transformer through it).
Inverse = Callable[[Any, Context], Callable[[Expr], Expr]]
_INVERSES: dict[type, Inverse] = {}


def optional_module(name: str) -> Any:
    """Module ``name`` if it can be imported, else None: a family module registers another
    library's estimators only when that library is installed."""
    try:
        return importlib.import_module(name)
    except ImportError:  # pragma: no cover - exercised when the library is absent
        return None


def register(*classes: type) -> Callable[[F], F]:
    """Register ``fn`` as the assembler for each of ``classes``."""

    def deco(fn: F) -> F:
        for cls in classes:
            _REGISTRY[cls] = fn
        return fn

    return deco


def register_transform(*classes: type) -> Callable[[F], F]:
    """Register ``fn`` as the ``transform`` of each of ``classes``, predictors whose
    :func:`register`-ed assembler gives their prediction."""

    def deco(fn: F) -> F:
        for cls in classes:
            _TRANSFORMS[cls] = fn
        return fn

    return deco


def register_inverse(*classes: type) -> Callable[[F], F]:
    """Register ``fn`` as the one-column ``inverse_transform`` of each of ``classes`` (see
    :data:`Inverse`), in the module that assembles the forward transform."""

    def deco(fn: F) -> F:
        for cls in classes:
            _INVERSES[cls] = fn
        return fn

    return deco


def inverse_transform(tr: Any, ctx: Context) -> Callable[[Expr], Expr]:
    """The inverse of a fitted one-column transformer as a function of the column; raises
    :class:`UnsupportedEstimatorError` naming the transformers that can be inverted."""
    fn = _INVERSES.get(type(tr))
    if fn is None:
        names = ", ".join(sorted(cls.__name__ for cls in _INVERSES))
        raise UnsupportedEstimatorError(f"transformer {type(tr).__name__} cannot be inverted in SQL; use {names}")
    return fn(tr, ctx)


def supported_estimators() -> list[str]:
    """Names of every public estimator class that compiles, sorted (private helpers sklearn fits
    inside others, such as ``_ConstantPredictor``, compile but are not listed)."""
    names = {cls.__name__ for cls in _REGISTRY} | {cls.__name__ for cls in _TRANSFORMS}
    return sorted(n for n in names if not n.startswith("_"))


def supported_classes() -> list[str]:
    """Every public class that compiles by its public import path (``sklearn.linear_model.Ridge``,
    ``feature_engine.encoding.OneHotEncoder``): names alone would show libraries' classes of the
    same name once. The module path stops before its first private part."""
    paths = set()
    for cls in {*_REGISTRY, *_TRANSFORMS}:
        if cls.__name__.startswith("_"):
            continue
        parts = []
        for part in cls.__module__.split("."):
            if part.startswith("_"):
                break
            parts.append(part)
        paths.add(".".join([*parts, cls.__name__]))
    return sorted(paths, key=str.lower)


def _check_fitted(est: Any) -> None:
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    if not hasattr(est, "fit") or not hasattr(est, "get_params"):
        return  # raw boosters and similar objects are fitted by construction
    try:
        check_is_fitted(est)
    except NotFittedError:
        raise Skl2SqlError(f"{type(est).__name__} is not fitted; fit it before compiling") from None
    except TypeError:
        return


def assemble(est: Any, features: list[Feature], ctx: Context) -> Prediction | list[Feature]:
    """Assemble one estimator over ``features``: a Prediction for predictors, features for
    transformers."""
    fn = _REGISTRY.get(type(est))
    if fn is None:
        raise UnsupportedEstimatorError(
            f"{type(est).__module__}.{type(est).__name__} cannot be compiled to SQL; supported "
            f"estimators: {', '.join(supported_estimators())}"
        )
    _check_fitted(est)
    return fn(est, features, ctx)


def transform(est: Any, features: list[Feature], ctx: Context) -> list[Feature]:
    """Assemble ``est`` as a transformer step (its ``transform``)."""
    fn = _TRANSFORMS.get(type(est))
    if fn is not None:
        _check_fitted(est)
        return fn(est, features, ctx)
    out = assemble(est, features, ctx)
    if isinstance(out, Prediction):
        raise UnsupportedEstimatorError(
            f"{type(est).__name__} is a predictor and cannot be used as a transformer step here"
        )
    return out


def predict(est: Any, features: list[Feature], ctx: Context) -> Prediction:
    """Assemble ``est`` as a single-target predictor read by another estimator (meta-estimators,
    chains): a model predicting several targets can only be the final step."""
    out = assemble(est, features, ctx)
    if not isinstance(out, Prediction):
        raise UnsupportedEstimatorError(f"{type(est).__name__} is a transformer, not a predictor")
    if out.kind == "multioutput":
        raise UnsupportedEstimatorError(
            f"{type(est).__name__} predicts {len(out.targets)} targets; a multi-output model can only be the final step"
        )
    return out
