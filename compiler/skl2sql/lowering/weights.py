"""The SQL shapes of model-as-data that are not row expressions: a weights table pivoted into one row.

Linear models stored as data (``skl2sql dbt add --as-data``) keep one row per (output, feature)
weight in a seed; scoring reads them as one row of columns (``MAX(CASE WHEN output = k AND
feature = 'f' THEN weight END)``, an aggregate the IR does not express) cross-joined beside the
input table, and the IR program reads those columns like inputs (:mod:`skl2sql.dbt.data_mode`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from ..dialects import DialectPolicy
from .expressions import column, ident
from .select import parse_table

__all__ = ["weights_pivot"]


def weights_pivot(
    pivot: Sequence[tuple[str, int, str | None]],
    weights_table: str,
    model_version: str,
    policy: DialectPolicy,
    alias: str,
) -> exp.Expression:
    """``(SELECT MAX(CASE WHEN output = k AND feature = 'f' THEN weight END) AS name, ...
    FROM weights_table WHERE model_version = '...') AS alias``; ``pivot``: (column name, output
    index, feature name or None for the intercept) per column."""
    projections: list[exp.Expression] = []
    for name, k, feature in pivot:
        feature_cond: exp.Expression = (
            exp.Is(this=column("feature"), expression=exp.Null())
            if feature is None
            else exp.EQ(this=column("feature"), expression=exp.Literal.string(feature))
        )
        cond = exp.And(this=exp.EQ(this=column("output"), expression=exp.Literal.number(k)), expression=feature_cond)
        case = exp.Case(ifs=[exp.If(this=cond, true=column("weight"))])
        projections.append(exp.Alias(this=exp.Max(this=case), alias=ident(name)))
    where = exp.EQ(this=column("model_version"), expression=exp.Literal.string(model_version))
    select = exp.Select(expressions=projections).from_(parse_table(weights_table, policy)).where(where)
    return exp.Subquery(this=select, alias=exp.TableAlias(this=ident(alias)))
