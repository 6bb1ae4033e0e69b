"""Typed errors. Everything skl2sql raises on bad input derives from :class:`Skl2SqlError`, so a
caller can catch one class; each message names the estimator, column or dialect at fault."""

from __future__ import annotations

__all__ = [
    "Skl2SqlError",
    "UnsupportedEstimatorError",
    "UnsupportedDialectError",
    "SchemaError",
    "ModelLoadError",
    "ExpressionTooLargeError",
]


class Skl2SqlError(Exception):
    """Base class of every error skl2sql raises on purpose."""


class UnsupportedEstimatorError(Skl2SqlError):
    """The estimator (or one of its settings) has no exact SQL translation."""


class UnsupportedDialectError(Skl2SqlError):
    """The dialect is unknown, or cannot express what the model needs."""


class SchemaError(Skl2SqlError):
    """Feature names are missing, duplicated or do not match the estimator."""


class ModelLoadError(Skl2SqlError):
    """A model file cannot be read (unknown format, untrusted types, corrupt file)."""


class ExpressionTooLargeError(Skl2SqlError):
    """The outputs as bare expressions (``CompiledModel.expressions()``) would repeat shared
    intermediate values so often that the text would be unusably large: a bare expression has no
    CTE to compute a value once, so a value read in k places is written k times, per stage."""
