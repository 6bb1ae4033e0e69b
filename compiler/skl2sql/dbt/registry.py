"""The model registry: one row per (model name, version), kept as the seed
``seeds/skl2sql/skl2sql_registry.csv`` of the dbt project and read by the generated model
``skl2sql_models``.

A seed (not generated SQL) because it is data: dbt loads it like any table, other tools can read
the CSV, and adding a model version is appending a row. Rows are sorted and written with
:func:`~skl2sql.dbt.text.csv_text`, so re-adding the same model rewrites the same bytes; the
``created_at`` of a version is the time it was first added and never changes afterwards.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .text import csv_text

__all__ = ["RegistryEntry", "REGISTRY_SEED", "REGISTRY_COLUMNS", "REGISTRY_DERIVED", "registry_schema", "read_registry", "write_registry", "upsert"]

#: Seed name (and CSV file stem) of the registry in the dbt project.
REGISTRY_SEED = "skl2sql_registry"


def _column(sql_type: str, description: str, *, not_null: bool = False, accepted: tuple[str, ...] = ()) -> Any:
    """A registry column: its seed type, its description and its tests, declared once with the
    field (the seed's column types, the registry model's docs and tests and its SELECT are all
    read from these)."""
    return field(metadata={"sql_type": sql_type, "description": description, "not_null": not_null, "accepted": accepted})


@dataclass(frozen=True)
class RegistryEntry:
    """One model version. JSON-valued fields are stored as compact, key-sorted JSON text."""

    model_name: str = _column("varchar", "name given to `skl2sql dbt add --name`; predict_<model_name> scores with it",
                              not_null=True)
    model_version: str = _column("varchar", "content hash of the compiled model (first 12 hex digits of a SHA-256)",
                                 not_null=True)
    is_default: bool = _column("boolean", "true for the version added last")
    mode: str = _column("varchar", "sql: compiled SQL in a macro; data: parameters in the seed skl2sql_weights_<name> "
                        "or skl2sql_trees_<name>", accepted=("sql", "data"))
    estimator: str = _column("varchar", "class name of the fitted estimator")
    task: str = _column("varchar", "classifier, regressor, multioutput or transformer")
    input_relation: str = _column("varchar", "the model or source the predict model scores")
    keep: str = _column("varchar", "JSON list of key columns passed through")
    batch_column: str | None = _column("varchar", "input column that names a scoring batch in predict_<name>_log "
                                       "(NULL = dbt invocation id)")
    features: str = _column("varchar", "JSON list of input features with their types")
    outputs: str = _column("varchar", "JSON list of output columns")
    classes: str = _column("varchar", "JSON map from per-class output column to class label")
    dialects: str = _column("varchar", "JSON list of dbt target types the model was compiled for")
    library_versions: str = _column("varchar", "JSON map of library versions at compile time (scikit-learn, skl2sql, ...)")
    training_metrics: str | None = _column("varchar", "JSON map of training metrics given to `skl2sql dbt add --metric`")
    created_at: str = _column("timestamp", "UTC time this version was first added", not_null=True)  # "YYYY-MM-DD HH:MM:SS"


#: What the registry model adds to the seed's columns (name, description).
REGISTRY_DERIVED: tuple[tuple[str, str], ...] = (
    ("is_active", "true for the version predict_<model_name> uses (pinned by var skl2sql_versions, else default)"),
)


REGISTRY_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(RegistryEntry))


def registry_schema() -> list[dict[str, Any]]:
    """Each seed column's name and the metadata declared with it (sql_type, description,
    not_null, accepted values), in seed order."""
    return [{"name": f.name, **f.metadata} for f in fields(RegistryEntry)]


def dumps(value: Any) -> str:
    """Compact JSON with sorted keys: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def registry_path(project: Path) -> Path:
    return project / "seeds" / "skl2sql" / f"{REGISTRY_SEED}.csv"


def read_registry(project: Path) -> list[RegistryEntry]:
    path = registry_path(project)
    if not path.is_file():
        return []
    out: list[RegistryEntry] = []
    for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))):
        values: dict[str, Any] = {}
        for name in REGISTRY_COLUMNS:
            raw = row.get(name, "")
            if name == "is_default":
                values[name] = raw.strip().lower() == "true"
            elif name in ("batch_column", "training_metrics"):
                values[name] = raw or None
            else:
                values[name] = raw
        out.append(RegistryEntry(**values))
    return out


def write_registry(project: Path, entries: list[RegistryEntry]) -> Path:
    path = registry_path(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = sorted(entries, key=lambda e: (e.model_name, e.created_at, e.model_version))
    rows = [[_cell(e, n) for n in REGISTRY_COLUMNS] for e in ordered]
    text = csv_text(REGISTRY_COLUMNS, rows)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def _cell(entry: RegistryEntry, name: str) -> Any:
    value = getattr(entry, name)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def upsert(entries: list[RegistryEntry], new: RegistryEntry) -> list[RegistryEntry]:
    """Add ``new`` as the default version of its model; an existing row of the same version keeps
    its ``created_at``; the model's other versions stay listed, no longer default."""
    out: list[RegistryEntry] = []
    created = new.created_at
    for e in entries:
        if e.model_name != new.model_name:
            out.append(e)
        elif e.model_version == new.model_version:
            created = e.created_at
        else:
            out.append(replace(e, is_default=False))
    out.append(replace(new, created_at=created, is_default=True))
    return out
