"""Analyses of a program that decide how its refusals are guarded (they change nothing themselves).

- :mod:`~skl2sql.analysis.null_strict`: inputs whose NULL makes every output NULL.
- :mod:`~skl2sql.analysis.overflow_bound`: the input magnitude below which nothing overflows.
"""
