"""Model as data for tree models: every node a row, scored by the package's generic macro.

A tree model stored this way is the seed ``skl2sql_trees_<name>`` with the columns of
:data:`TREE_COLUMNS`, one row per split node and one row per (leaf, score):

- split nodes: ``feature`` (the input column's name), ``threshold``, ``missing_left`` (1 if a NULL
  goes left), ``left_child``, ``right_child``; ``output`` and ``value`` are NULL. A row goes left
  when ``x <= threshold``. The threshold is already the float64 boundary of scikit-learn's
  ``float32(x) <= t`` (:func:`~skl2sql.assemblers.shared.tree_common.float32_le_threshold`), so the SQL
  compares doubles and routes every row exactly as scikit-learn does.
- leaves: ``output`` (which score the value adds to) and ``value``; a random-forest classifier
  leaf has one row per class, a boosting leaf one row. Boosting leaves are stored pre-multiplied
  by the learning rate, as scikit-learn's ``predict_stages`` multiplies them.
- ``tree = -1`` rows hold the starting value of each score (the boosting ``init`` raw
  prediction; 0 for forests).

The macro ``skl2sql.score_trees_from_nodes`` walks every (row, tree) pair down one level per
join up to the deepest tree, then adds each score's leaf values *in tree order* (an ordered
list/array aggregate folded left to right): the same additions in the same order as
scikit-learn, so sums are bit-identical and ``argmax`` ties (common among vote fractions) break
the same way. Then the task's link: the mean over trees (forests), the identity, the logistic
function or softmax (gradient boosting).

Replacing a model with one of the same features and classes is loading rows under a new
``model_version``: the number of trees and the depth are read from the rows at run time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..api import resolve_features
from ..assemblers.interface import class_suffixes
from ..assemblers.scikit_learn.boosting import gb_init_values
from ..assemblers.scikit_learn.trees import classifier_leaf_proba
from ..assemblers.shared.tree_common import float32_le_threshold, float32_lt_threshold
from ..errors import UnsupportedEstimatorError
from ..ir import DOUBLE_MAX

__all__ = ["TreeNodes", "tree_nodes", "TREE_COLUMNS", "TREE_DATA_ESTIMATORS", "TREE_TASKS", "is_tree_model"]

#: Columns of a tree-nodes table, in order.
TREE_COLUMNS: tuple[str, ...] = (
    "model_version", "tree", "node", "depth", "feature", "threshold", "missing_left",
    "left_child", "right_child", "output", "value",
)

#: What ``--as-data`` accepts for trees.
TREE_DATA_ESTIMATORS: tuple[str, ...] = (
    "DecisionTreeClassifier/Regressor", "ExtraTreeClassifier/Regressor",
    "RandomForestClassifier/Regressor", "ExtraTreesClassifier/Regressor",
    "GradientBoostingClassifier/Regressor",
    "HistGradientBoostingClassifier/Regressor (numeric features)",
    "XGBClassifier/XGBRegressor (gbtree)",
    "LGBMClassifier/LGBMRegressor (numerical splits, missing type None or NaN)",
)

#: How scores become outputs: ``mean_regression`` / ``mean_classifier`` (forests: sum / number of
#: trees, label = first largest probability), ``regression`` (boosting: the raw score),
#: ``exp_regression`` (HistGradientBoosting with a log link: exp(raw)), ``logistic`` /
#: ``exponential`` (binary GradientBoosting: sigmoid(raw) or sigmoid(2 raw), label = classes[1]
#: where raw >= 0), ``logistic_strict`` (binary HistGradientBoosting: label classes[1] where
#: raw > 0), ``softmax`` (multiclass boosting, label = first largest raw score); for XGBoost:
#: ``sigmoid_regression`` (reg:logistic), ``logistic_half`` (binary: label classes[1] where the
#: probability is > 0.5) and ``softmax_proba`` (label = first largest probability).
TREE_TASKS: tuple[str, ...] = (
    "mean_regression", "mean_classifier", "regression", "exp_regression", "logistic", "logistic_strict",
    "exponential", "softmax", "sigmoid_regression", "logistic_half", "softmax_proba",
)


@dataclass(frozen=True)
class TreeNodes:
    """A tree model as data (see module docs). ``nodes`` rows follow :data:`TREE_COLUMNS` without
    ``model_version``; ``allow_missing``: NULL inputs are routed (forests, single trees,
    HistGradientBoosting) rather than refused (GradientBoosting refuses NaN, so its outputs are
    NULL); ``float32_range``: rows outside float32 range give NULL outputs (scikit-learn's
    float32 trees refuse them; HistGradientBoosting works in float64 and takes them)."""

    task: str
    features: tuple[str, ...]
    classes: tuple[Any, ...]
    outputs: tuple[str, ...]
    n_scores: int
    allow_missing: bool
    nodes: tuple[tuple[Any, ...], ...]
    float32_range: bool = True

    @property
    def n_trees(self) -> int:
        return 1 + max(int(r[0]) for r in self.nodes)

    def rows(self, model_version: str) -> list[tuple[Any, ...]]:
        """The rows to load for ``model_version`` (floats as full-precision text)."""
        out: list[tuple[Any, ...]] = []
        for r in self.nodes:
            threshold = None if r[4] is None else repr(float(r[4]))
            value = None if r[9] is None else repr(float(r[9]))
            out.append((model_version, *r[:4], threshold, *r[5:9], value))
        return out

    def predict_scores(self, X: np.ndarray) -> np.ndarray:
        """The raw scores (before the task's link) of float64 rows ``X`` (NaN = NULL), computed
        from the rows alone, tree by tree in order: the reference the SQL is tested against."""
        # ±inf reads as ±INFINITE_THRESHOLD, as in the SQL (NaN stays NaN)
        X = np.clip(np.asarray(X, dtype=np.float64), -INFINITE_THRESHOLD, INFINITE_THRESHOLD)
        index = {f: j for j, f in enumerate(self.features)}
        trees: dict[int, dict[int, tuple[Any, ...]]] = {}
        leaves: dict[tuple[int, int], dict[int, float]] = {}
        start = np.zeros(self.n_scores)
        for r in self.nodes:
            t, n = int(r[0]), int(r[1])
            if t < 0:
                start[int(r[8])] = float(r[9])
            elif r[8] is None:
                trees.setdefault(t, {})[n] = r
            else:
                leaves.setdefault((t, n), {})[int(r[8])] = float(r[9])
        scores = np.tile(start, (X.shape[0], 1))
        for t in range(self.n_trees):
            for i in range(X.shape[0]):
                n = 0
                while n in trees.get(t, {}):
                    r = trees[t][n]
                    x = X[i, index[r[3]]]
                    go_left = (x <= r[4]) if not np.isnan(x) else bool(r[5])
                    n = int(r[6]) if go_left else int(r[7])
                for k, v in leaves[(t, n)].items():
                    scores[i, k] = scores[i, k] + v
        return scores


def is_tree_model(estimator: Any) -> bool:
    """Whether ``estimator`` is one of :data:`TREE_DATA_ESTIMATORS`."""
    from sklearn.ensemble import (
        ExtraTreesClassifier,
        ExtraTreesRegressor,
        GradientBoostingClassifier,
        GradientBoostingRegressor,
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor, ExtraTreeClassifier, ExtraTreeRegressor

    if type(estimator) in (
        DecisionTreeClassifier, DecisionTreeRegressor, ExtraTreeClassifier, ExtraTreeRegressor,
        RandomForestClassifier, RandomForestRegressor, ExtraTreesClassifier, ExtraTreesRegressor,
        GradientBoostingClassifier, GradientBoostingRegressor,
        HistGradientBoostingClassifier, HistGradientBoostingRegressor,
    ):
        return True
    return _is_xgboost(estimator) or _is_lightgbm(estimator)


def _is_lightgbm(estimator: Any) -> bool:
    try:
        import lightgbm
    except ImportError:
        return False
    return type(estimator) in (lightgbm.LGBMClassifier, lightgbm.LGBMRegressor)


def _is_xgboost(estimator: Any) -> bool:
    try:
        import xgboost
    except ImportError:
        return False
    return type(estimator) in (xgboost.XGBClassifier, xgboost.XGBRegressor)


def _unsupported(est: Any, why: str) -> UnsupportedEstimatorError:
    return UnsupportedEstimatorError(
        f"--as-data cannot store {type(est).__name__}: {why}. Tree models as data support "
        f"{', '.join(TREE_DATA_ESTIMATORS)}; compile it as SQL instead (leave out --as-data)."
    )


#: The threshold stored for a split at ``+inf`` ("every number goes left": scikit-learn trees,
#: HistGradientBoosting and LightGBM fitted on data with NaN). Not every engine loads ``inf``
#: from a CSV seed, so the largest double stands in for it, and the walk reads an input of ±inf
#: as ±this value (:meth:`TreeNodes.predict_scores`, the macro ``skl2sql.input_clipped``): every
#: comparison with a stored threshold then goes the way it goes for the infinity itself.
INFINITE_THRESHOLD = DOUBLE_MAX


def stored_threshold(est: Any, t: int, n: int, d: float) -> float:
    """``d`` as stored in the ``threshold`` column: finite, ``+inf`` as :data:`INFINITE_THRESHOLD`.
    A split at ``-inf`` (only ``-inf`` itself goes left) has no finite stand-in and is refused."""
    if d == math.inf:
        return INFINITE_THRESHOLD
    if not math.isfinite(d):
        raise _unsupported(est, f"tree {t} node {n} splits at {d!r}, which a stored threshold cannot hold")
    return d


def _tree_rows(
    est: Any, t: int, tree: Any, features: Sequence[str], leaf_values: np.ndarray, outputs: Sequence[int],
    nan_routing: bool,
) -> list[tuple[Any, ...]]:
    """Rows of one fitted ``tree_``: split nodes, then (leaf, score) rows; depth from the root."""
    if int(tree.n_outputs) != 1:
        raise _unsupported(est, "multiple outputs")
    left, right = tree.children_left, tree.children_right
    mgl = getattr(tree, "missing_go_to_left", None)
    depth = np.zeros(tree.node_count, dtype=np.int64)
    rows: list[tuple[Any, ...]] = []
    for n in range(tree.node_count):  # sklearn numbers nodes in depth-first order: parents first
        if left[n] < 0:
            for col, k in enumerate(outputs):
                rows.append((t, n, int(depth[n]), None, None, None, None, None, int(k), float(leaf_values[n, col])))
            continue
        depth[left[n]] = depth[right[n]] = depth[n] + 1
        d = stored_threshold(est, t, n, float32_le_threshold(float(tree.threshold[n])))
        missing_left = int(bool(nan_routing and mgl is not None and mgl[n]))
        rows.append((t, n, int(depth[n]), features[int(tree.feature[n])], d, missing_left, int(left[n]), int(right[n]), None, None))
    return rows


def _hist_rows(est: Any, t: int, predictor: Any, features: Sequence[str], output: int) -> list[tuple[Any, ...]]:
    """Rows of one HistGradientBoosting ``TreePredictor``: ``x <= num_threshold`` in float64 (no
    float32 boundary), NaN going where ``missing_go_to_left`` says, leaf values as stored (the
    learning rate is already in them)."""
    nodes = predictor.nodes
    rows: list[tuple[Any, ...]] = []
    depth = {0: 0}
    for n in range(len(nodes)):  # parents come before their children
        node = nodes[n]
        if bool(node["is_leaf"]):
            rows.append((t, n, depth[n], None, None, None, None, None, output, float(node["value"])))
            continue
        if bool(node["is_categorical"]):
            raise _unsupported(est, "categorical splits")
        left, right = int(node["left"]), int(node["right"])
        depth[left] = depth[right] = depth[n] + 1
        d = stored_threshold(est, t, n, float(node["num_threshold"]))
        rows.append((t, n, depth[n], features[int(node["feature_idx"])], d, int(bool(node["missing_go_to_left"])),
                     left, right, None, None))
    return rows


def _hist_gradient_boosting(est: Any, names: Sequence[str]) -> tuple[str, list[float], list[tuple[Any, ...]]]:
    """(task, start values, rows) of a HistGradientBoosting model with numeric features only."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    if getattr(est, "_preprocessor", None) is not None:
        raise _unsupported(est, "categorical features (compile it as SQL, which encodes them)")
    start = [float(v) for v in np.asarray(est._baseline_prediction, dtype=np.float64).ravel()]
    k = len(start)
    rows: list[tuple[Any, ...]] = []
    for i, iteration in enumerate(est._predictors):
        for j, predictor in enumerate(iteration):
            rows += _hist_rows(est, i * k + j, predictor, names, j)
    link = type(est._loss.link).__name__
    if isinstance(est, HistGradientBoostingRegressor):
        if link == "IdentityLink":
            return "regression", start, rows
        if link == "LogLink":
            return "exp_regression", start, rows
        raise _unsupported(est, f"link {link}")
    return ("logistic_strict" if k == 1 else "softmax"), start, rows


def _xgboost(est: Any, names: Sequence[str], classifier: bool) -> tuple[str, list[float], list[tuple[Any, ...]]]:
    """(task, start values, rows) of an XGBClassifier/XGBRegressor (the trees its ``predict``
    uses: up to the best iteration after early stopping). Splits are XGBoost's
    ``float32(x) < split`` as a float64 boundary (``x <= d``); missing values go where
    ``default_left`` says; start values are the base margins as XGBoost computes them."""
    from ..assemblers.libraries import xgboost_models as xm
    from ..assemblers.model_files import xgboost_json

    model = xgboost_json.model_of(est.get_booster(), xgboost_json.best_iterations(est))
    if model.categorical:
        raise _unsupported(est, "categorical splits are not supported as node rows (nor categorical inputs)")
    if model.num_target > 1:
        raise _unsupported(est, f"{model.num_target} targets")
    if model.linear is not None:
        raise _unsupported(est, "booster='gblinear' has no trees")
    obj = model.objective
    n_groups = max(model.num_class, 1) if obj in xm.MULTI_OBJECTIVES else 1
    start = xm.base_margins(model, n_groups)
    rows: list[tuple[Any, ...]] = []
    for t, tree in enumerate(model.trees):
        depth = {0: 0}
        order = [0]
        for n in order:  # breadth first from the root: XGBoost's node ids need not be sorted
            if tree.left[n] < 0:
                rows.append((t, n, depth[n], None, None, None, None, None, tree.group, float(tree.condition[n])))
                continue
            left, right = int(tree.left[n]), int(tree.right[n])
            depth[left] = depth[right] = depth[n] + 1
            order += [left, right]
            d = stored_threshold(est, t, n, float32_lt_threshold(tree.condition[n]))
            rows.append((t, n, depth[n], names[int(tree.feature[n])], d, int(bool(tree.default_left[n])),
                         left, right, None, None))
    if classifier:
        if obj in xm.MULTI_OBJECTIVES:
            return "softmax_proba", start, rows
        if obj in xm.LOGISTIC_OBJECTIVES and n_groups == 1:
            return "logistic_half", start, rows
    elif obj in xm.LOGISTIC_OBJECTIVES:
        return "sigmoid_regression", start, rows
    elif obj in xm.EXP_OBJECTIVES:
        return "exp_regression", start, rows
    elif obj in xm.IDENTITY_OBJECTIVES and obj != "binary:hinge":
        return "regression", start, rows
    raise _unsupported(est, f"objective {obj!r}")


def _lightgbm_threshold(t: float, decision_type: int) -> tuple[float, int] | None:
    """(threshold, missing_left) reproducing LightGBM's numerical split as ``x <= threshold``,
    or None when it cannot be written so (missing type Zero: values within 1e-35 of zero go the
    default way, which one threshold cannot say).

    LightGBM reads |x| <= kZeroThreshold as 0.0, so a threshold inside that band becomes its
    edge on the side 0 goes to; NULL is NaN: under missing type NaN it goes the default way,
    under None it is 0.0."""
    from ..assemblers.libraries.lightgbm_models import K_ZERO_THRESHOLD as kz

    missing_type = (decision_type >> 2) & 3
    if missing_type == 1:
        return None
    default_left = bool(decision_type & 2)
    null_left = default_left if missing_type == 2 else 0.0 <= t
    if -kz <= t < kz:
        t = kz if 0.0 <= t else math.nextafter(-kz, -math.inf)
    return t, int(null_left)


def _lightgbm(est: Any, names: Sequence[str], classifier: bool) -> tuple[str, list[float], list[tuple[Any, ...]]]:
    """(task, start values, rows) of an LGBMClassifier/LGBMRegressor: numerical splits in
    double (see :func:`_lightgbm_threshold`), leaves summed in double from 0 in tree order, as
    LightGBM does."""
    from ..assemblers.libraries import lightgbm_models as lm
    from ..assemblers.model_files import lightgbm_text

    if callable(getattr(est, "objective", None)):
        raise _unsupported(est, "a custom (callable) objective")
    model = lightgbm_text.model_of(est.booster_)
    obj = model.objective
    if model.average_output or "sqrt" in model.objective_params or obj == "multiclassova":
        raise _unsupported(est, f"objective {obj!r} with these options (random-forest mode, sqrt, one-vs-all)")
    if any(tree.leaf_linear for tree in model.trees):
        raise _unsupported(est, "linear_tree=True (a linear model per leaf)")
    k = model.num_tree_per_iteration
    rows: list[tuple[Any, ...]] = []
    for t, tree in enumerate(model.trees):
        output = t % k
        if not tree.left:
            rows.append((t, 0, 0, None, None, None, None, None, output, float(tree.leaf_value[0])))
            continue
        n_internal = len(tree.left)

        def node(c: int, n_internal: int = n_internal) -> int:
            return c if c >= 0 else n_internal + ~c

        depth = {0: 0}
        for n in range(n_internal):  # parents come before their children
            if tree.decision_type[n] & 1:
                raise _unsupported(est, "categorical splits")
            split = _lightgbm_threshold(float(tree.threshold[n]), int(tree.decision_type[n]))
            if split is None:
                raise _unsupported(est, "missing type Zero (zero_as_missing=True)")
            left, right = node(tree.left[n]), node(tree.right[n])
            depth[left] = depth[right] = depth[n] + 1
            d = stored_threshold(est, t, n, split[0])
            rows.append((t, n, depth[n], names[int(tree.split_feature[n])], d, split[1], left, right, None, None))
        for j, value in enumerate(tree.leaf_value):
            rows.append((t, n_internal + j, depth[n_internal + j], None, None, None, None, None, output, float(value)))
    start = [0.0] * k
    if classifier:
        if obj == "binary" and float(model.objective_params.get("sigmoid", "1")) == 1.0:
            return "logistic_half", start, rows  # LightGBM: p1 > 1 - p1, i.e. p1 > 0.5
        if obj == "multiclass":
            return "softmax_proba", start, rows
    elif obj in lm.IDENTITY_OBJECTIVES:
        return "regression", start, rows
    elif obj in lm.EXP_OBJECTIVES:
        return "exp_regression", start, rows
    raise _unsupported(est, f"objective {obj!r}")


def tree_nodes(estimator: Any, features: Sequence[str] | None = None) -> TreeNodes:
    """The rows of a supported tree model (see :data:`TREE_DATA_ESTIMATORS`)."""
    from sklearn.base import is_classifier
    from sklearn.ensemble import (
        GradientBoostingClassifier,
        GradientBoostingRegressor,
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )

    if not is_tree_model(estimator):
        raise _unsupported(estimator, "not a supported tree model")
    names = list(resolve_features(estimator, features))
    est = estimator
    classes: tuple[Any, ...] = tuple(est.classes_) if is_classifier(est) else ()
    if is_classifier(est) and np.ndim(est.classes_) != 1:
        raise _unsupported(est, "multiple outputs")
    rows: list[tuple[Any, ...]] = []
    float32_range = True
    if _is_xgboost(est):
        task, start, rows = _xgboost(est, names, bool(classes))
        allow_missing, float32_range = True, False
    elif _is_lightgbm(est):
        task, start, rows = _lightgbm(est, names, bool(classes))
        allow_missing, float32_range = True, False
    elif isinstance(est, (HistGradientBoostingClassifier, HistGradientBoostingRegressor)):
        task, start, rows = _hist_gradient_boosting(est, names)
        allow_missing, float32_range = True, False
    elif isinstance(est, (GradientBoostingClassifier, GradientBoostingRegressor)):
        k = int(est.n_trees_per_iteration_)
        try:
            start = gb_init_values(est)
        except UnsupportedEstimatorError as err:
            raise _unsupported(est, f"init={type(est.init_).__name__} (only the default init and 'zero')") from err
        lr = float(est.learning_rate)
        for i in range(int(est.n_estimators_)):
            for j in range(k):
                tree = est.estimators_[i, j].tree_
                leaves = (lr * np.asarray(tree.value[:, 0, 0], dtype=np.float64))[:, None]
                rows += _tree_rows(est, i * k + j, tree, names, leaves, [j], nan_routing=False)
        if isinstance(est, GradientBoostingRegressor):
            task = "regression"
        elif k == 1:
            task = "exponential" if str(est.loss) == "exponential" else "logistic"
        else:
            task = "softmax"
        allow_missing = False
    else:
        trees = list(getattr(est, "estimators_", [est]))
        k = len(classes) if classes else 1
        for t, member in enumerate(trees):
            tree = member.tree_
            if classes:
                leaves = classifier_leaf_proba(tree, len(classes))
            else:
                leaves = np.asarray(tree.value[:, 0, 0], dtype=np.float64)[:, None]
            rows += _tree_rows(est, t, tree, names, leaves, list(range(k)), nan_routing=True)
        start = [0.0] * k
        task = "mean_classifier" if classes else "mean_regression"
        allow_missing = True
    nodes = [(-1, 0, 0, None, None, None, None, None, j, float(v)) for j, v in enumerate(start)] + rows
    outputs = ["prediction"]
    if classes:
        outputs += [f"probability_{s}" for s in class_suffixes(classes)]
    if not all(np.isfinite(float(r[9])) for r in nodes if r[9] is not None):
        raise _unsupported(est, "non-finite leaf values")
    return TreeNodes(task, tuple(names), classes, tuple(outputs), len(start), allow_missing, tuple(nodes), float32_range)

