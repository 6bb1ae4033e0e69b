"""PostgreSQL and the engines derived from it (Redshift, Materialize, RisingWave).

Measured on PostgreSQL 15+; Redshift, Materialize and RisingWave inherit its rules where they
share its parser and executor, and state what differs.
"""

from __future__ import annotations

from .policy import ANSI
from .writers import fence_offset, nullif_nan

__all__ = ["POSTGRES", "REDSHIFT", "MATERIALIZE", "RISINGWAVE", "FLUSH_BELOW"]

#: PostgreSQL raises "value out of range: underflow" when a product or quotient of non-zero
#: doubles rounds to zero (float8mul/float8div), failing the whole query: an input of 1e-310
#: times a weight of 1e-20, or 1e-200 squared. So every input an estimator reads as a finite
#: number (``ir.Cast.flush``: the reads that feed arithmetic, not the inputs trees and boosters
#: only compare) is written as 0 when its magnitude is below this (2**-511), so that a product of
#: two such reads, or of one with a weight, stays in range. The change is below 1e-154 in
#: absolute value, inside every tolerance.
FLUSH_BELOW = 2.0**-511

POSTGRES = ANSI.derive(
    "postgres",
    dbt_targets=("postgres",),
    # '1.5E0' is NUMERIC here: a CASE whose branches are all literals would be NUMERIC and every
    # sum over it exact-decimal arithmetic; one literal of each such CASE (and array) is cast to
    # FLOAT8 (8 bytes shorter than DOUBLE PRECISION, and a forest has thousands of them)
    float_literal_cast="FLOAT8",
    float32_type="REAL",
    # longer names are silently truncated, which could merge two output columns
    max_identifier=63,
    # CTEs are flattened and each column's expression copied into every reader, so a chain of
    # stages each read several times grows exponentially (9 stages read 3 times each took 39 s
    # to plan; a QuantileTransformer pipeline ran out of memory); a sub-select with OFFSET is not
    fence=fence_offset,
    array_lookup=True,
    # NaN = NaN is true and NaN sorts above every number
    nan_as_null=nullif_nan,
    flush_tiny=FLUSH_BELOW,
)

REDSHIFT = POSTGRES.derive(
    "redshift",
    dbt_targets=("redshift",),
    max_identifier=127,
    array_lookup=False,  # not checked on Redshift: the CASE fallbacks every engine runs
)

# Not checked on an engine: PostgreSQL's literal typing, fence, NaN and underflow rules, with the
# defaults elsewhere.
MATERIALIZE = POSTGRES.derive("materialize", float32_type=None, max_identifier=255, array_lookup=False)
RISINGWAVE = POSTGRES.derive("risingwave", float32_type=None, max_identifier=255, array_lookup=False)
