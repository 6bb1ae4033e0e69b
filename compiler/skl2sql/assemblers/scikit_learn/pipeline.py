"""Composition: Pipeline, ColumnTransformer and FeatureUnion.

Column selections (names, indices, boolean masks, callables, ``make_column_selector``) are taken
from what the fitted ColumnTransformer resolved at fit time, so the SQL reads exactly the columns
sklearn read. Every step's outputs are materialized; the lowering inlines the ones used once.
"""

from __future__ import annotations

from typing import Any

from sklearn.compose import ColumnTransformer
from sklearn.pipeline import FeatureUnion, Pipeline

from ...errors import SchemaError, UnsupportedEstimatorError
from ...ir import lit, mul
from ..context import Context
from ..interface import Feature, Prediction
from ..registry import assemble, register, transform

__all__ = ["assemble_pipeline", "assemble_steps", "assemble_column_transformer", "assemble_feature_union"]


def _is_passthrough(step: Any) -> bool:
    return step is None or (isinstance(step, str) and step == "passthrough")


@register(Pipeline)
def assemble_pipeline(est: Pipeline, features: list[Feature], ctx: Context) -> Prediction | list[Feature]:
    return assemble_steps([s for _, s in est.steps], features, ctx)


def assemble_steps(steps: list[Any], features: list[Feature], ctx: Context) -> Prediction | list[Feature]:
    """Each step's ``transform`` in turn, then the last step's prediction (or transform);
    ``'passthrough'`` and ``None`` steps are skipped, as sklearn's ``Pipeline`` skips them."""
    current = features
    for step in steps[:-1]:
        if _is_passthrough(step):
            continue
        current = ctx.materialize_features(transform(step, current, ctx), "step")
    last = steps[-1]
    if _is_passthrough(last):
        return current
    return assemble(last, current, ctx)


def _rename(features: list[Feature], names: list[str] | None) -> list[Feature]:
    if names is None or len(names) != len(features):
        return features
    return [Feature(f.expr, str(n)) for f, n in zip(features, names, strict=True)]


def _names_out(est: Any) -> list[str] | None:
    try:
        return [str(n) for n in est.get_feature_names_out()]
    except Exception:  # noqa: BLE001 - names are cosmetic; sklearn raises many types here
        return None


@register(ColumnTransformer)
def assemble_column_transformer(est: ColumnTransformer, features: list[Feature], ctx: Context) -> list[Feature]:
    indices: dict[str, Any] = getattr(est, "_transformer_to_input_indices", None) or {}
    if not indices:
        raise UnsupportedEstimatorError("ColumnTransformer: this scikit-learn version does not expose resolved columns")
    if est.n_features_in_ != len(features):
        raise SchemaError(
            f"ColumnTransformer expects {est.n_features_in_} input columns, got {len(features)}"
        )
    out: list[Feature] = []
    for name, trans, _cols in est.transformers_:
        if isinstance(trans, str) and trans == "drop":
            continue
        idx = list(indices.get(name, []))
        if not idx:
            continue
        selected = [features[i] for i in idx]
        if _is_passthrough(trans):
            out.extend(selected)
        else:
            out.extend(transform(trans, selected, ctx))
    return _rename(out, _names_out(est))


@register(FeatureUnion)
def assemble_feature_union(est: FeatureUnion, features: list[Feature], ctx: Context) -> list[Feature]:
    weights = est.transformer_weights or {}
    out: list[Feature] = []
    for name, trans in est.transformer_list:
        if isinstance(trans, str) and trans == "drop":
            continue
        part = features if _is_passthrough(trans) else transform(trans, features, ctx)
        w = weights.get(name)
        if w is not None and w != 1:
            part = [Feature(mul(f.expr, lit(float(w))), f.name) for f in part]
        out.extend(part)
    return _rename(out, _names_out(est))
