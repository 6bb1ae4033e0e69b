"""LightGBM's text model format (``booster.model_to_string()``), read into the parts prediction needs.

Flat arrays per tree, every threshold and leaf value written with 17 significant digits, so the
doubles LightGBM predicts with are recovered exactly (``dump_model()`` JSON carries the same
numbers but nests one dict per node, which Python's JSON reader cannot do past ~1,000 levels).
Read by the LightGBM assembler (``libraries/lightgbm_models.py``) and by model-as-data
(``dbt/tree_data.py``); a damaged file is refused before it gets here (``loading.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...errors import UnsupportedEstimatorError

__all__ = ["LgbTree", "LgbModel", "parse_model_text", "model_of"]


@dataclass(frozen=True)
class LgbTree:
    """One tree in LightGBM's array layout: internal nodes ``0..n-2``; a child ``c < 0`` is leaf
    ``~c``."""

    split_feature: list[int]
    threshold: list[float]
    decision_type: list[int]
    left: list[int]
    right: list[int]
    leaf_value: list[float]
    cat_boundaries: list[int]
    cat_threshold: list[int]
    #: ``linear_tree=True``: per leaf, the constant and (raw feature index, coefficient) pairs in
    #: LightGBM's order; empty for an ordinary tree.
    leaf_linear: tuple[tuple[float, tuple[tuple[int, float], ...]], ...] = ()


@dataclass
class LgbModel:
    """The parts of a LightGBM text model that prediction depends on."""

    objective: str
    objective_params: dict[str, str]
    num_class: int
    num_tree_per_iteration: int
    average_output: bool
    feature_names: list[str]
    trees: list[LgbTree]
    parameters: dict[str, str] = field(default_factory=dict)
    pandas_categorical: list[list[Any]] | None = None


def _ints(text: str) -> list[int]:
    return [int(v) for v in text.split()] if text.strip() else []


def _floats(text: str) -> list[float]:
    return [float(v) for v in text.split()] if text.strip() else []


def _leaf_linear(kv: dict[str, str]) -> tuple[tuple[float, tuple[tuple[int, float], ...]], ...]:
    """The linear models of a ``linear_tree`` tree's leaves (``is_linear=1``): ``leaf_const``,
    and ``num_features`` per leaf splitting the flat ``leaf_features``/``leaf_coeff`` lists."""
    if kv.get("is_linear", "0") in ("0", ""):
        return ()
    consts = _floats(kv.get("leaf_const", ""))
    counts = _ints(kv.get("num_features", ""))
    feats = _ints(kv.get("leaf_features", ""))
    coeffs = _floats(kv.get("leaf_coeff", ""))
    if len(counts) != len(consts) or sum(counts) != len(feats) or len(feats) != len(coeffs):
        raise UnsupportedEstimatorError("LightGBM linear tree with inconsistent leaf_const/leaf_features/leaf_coeff")
    out: list[tuple[float, tuple[tuple[int, float], ...]]] = []
    at = 0
    for const, n in zip(consts, counts, strict=True):
        out.append((const, tuple(zip(feats[at : at + n], coeffs[at : at + n], strict=True))))
        at += n
    return tuple(out)


def parse_model_text(text: str) -> LgbModel:
    """Parse ``booster.model_to_string()`` (the ``.txt`` model format)."""
    import json

    head, _, rest = text.partition("\nTree=")
    header: dict[str, str] = {}
    for line in head.splitlines():
        k, sep, v = line.partition("=")
        if sep:
            header[k.strip()] = v.strip()
        elif line.strip():
            header[line.strip()] = ""
    body, _, tail = ("Tree=" + rest).partition("end of trees")
    trees: list[LgbTree] = []
    for block in body.split("Tree=")[1:]:
        kv: dict[str, str] = {}
        for line in block.splitlines()[1:]:
            k, sep, v = line.partition("=")
            if sep:
                kv[k.strip()] = v.strip()
        trees.append(
            LgbTree(
                split_feature=_ints(kv.get("split_feature", "")),
                threshold=_floats(kv.get("threshold", "")),
                decision_type=_ints(kv.get("decision_type", "")),
                left=_ints(kv.get("left_child", "")),
                right=_ints(kv.get("right_child", "")),
                leaf_value=_floats(kv.get("leaf_value", "")),
                cat_boundaries=_ints(kv.get("cat_boundaries", "")),
                cat_threshold=_ints(kv.get("cat_threshold", "")),
                leaf_linear=_leaf_linear(kv),
            )
        )
    params: dict[str, str] = {}
    for m in re.finditer(r"^\[([^:\]]+): ?(.*)\]$", tail, flags=re.MULTILINE):
        params[m.group(1)] = m.group(2)
    pandas_categorical: list[list[Any]] | None = None
    pc = re.search(r"^pandas_categorical:(.*)$", tail, flags=re.MULTILINE)
    if pc and pc.group(1).strip() not in ("", "null"):
        pandas_categorical = json.loads(pc.group(1))
    objective_text = header.get("objective", "")
    if not objective_text:
        raise UnsupportedEstimatorError("LightGBM model without an objective (custom objective) is not supported")
    name, *opts = objective_text.split()
    objective_params: dict[str, str] = {}
    for o in opts:
        k, sep, v = o.partition(":")
        objective_params[k] = v if sep else "1"
    return LgbModel(
        objective=name,
        objective_params=objective_params,
        num_class=int(header.get("num_class", "1")),
        num_tree_per_iteration=int(header.get("num_tree_per_iteration", "1")),
        average_output="average_output" in header,
        feature_names=header.get("feature_names", "").split(),
        trees=trees,
        parameters=params,
        pandas_categorical=pandas_categorical,
    )


def model_of(booster: Any) -> LgbModel:
    """The text model of the iterations ``predict`` uses by default (``best_iteration`` when early
    stopping set one, else all)."""
    best = int(getattr(booster, "best_iteration", 0) or 0)
    text = booster.model_to_string(num_iteration=best if best > 0 else -1)
    return parse_model_text(text)
