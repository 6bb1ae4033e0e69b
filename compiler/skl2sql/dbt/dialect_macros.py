"""The package macros' dialect rules, written from the dialect policies (``macros/utils/dialect_rules.sql``).

The dbt package is plain files, but its macros must read a stored NaN, flush underflowing inputs
and bound finite inputs exactly as the compiled SQL does. So those rules are not restated in
Jinja: this module renders them from :mod:`skl2sql.dialects` (the NaN test is the policy's own
function, rendered by sqlglot for each dbt target), and a test checks the committed file is
current. Regenerate with ``python -m skl2sql.dbt.dialect_macros > macros/utils/dialect_rules.sql``.
"""

from __future__ import annotations

import sys

from sqlglot import exp

from ..dialects import POLICIES
from ..ir import DOUBLE_MAX, EXP_FLOOR
from ..lowering import float_text, render
from .templating import render_template

__all__ = ["dialect_macros", "PLACEHOLDER"]

#: Stands for the macro's argument in the SQL sqlglot writes; replaced by ``{{ x }}``.
PLACEHOLDER = "skl2sql_macro_argument"


def dialect_macros() -> str:
    """The text of ``macros/utils/dialect_rules.sql``."""
    nan: list[tuple[str, str]] = []
    flush: list[tuple[str, str]] = []
    for policy in sorted(POLICIES.values(), key=lambda p: p.name):
        for target in policy.dbt_targets:
            if policy.nan_as_null is not None:
                node = policy.nan_as_null(exp.Column(this=exp.Identifier(this=PLACEHOLDER, quoted=False)))
                nan.append((target, render(node, policy).replace(PLACEHOLDER, "{{ x }}")))
            if policy.flush_tiny is not None:
                flush.append((target, repr(policy.flush_tiny)))
    return render_template(
        "dialect_rules.sql",
        nan_as_null=sorted(nan),
        flush_below=sorted(flush),
        double_max=float_text(DOUBLE_MAX),
        exp_limit=format(-EXP_FLOOR, "g"),
    )


if __name__ == "__main__":
    sys.stdout.write(dialect_macros())
