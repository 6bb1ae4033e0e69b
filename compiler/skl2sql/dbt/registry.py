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
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .text import csv_text

__all__ = ["RegistryEntry", "REGISTRY_SEED", "REGISTRY_COLUMNS", "read_registry", "write_registry", "upsert"]

#: Seed name (and CSV file stem) of the registry in the dbt project.
REGISTRY_SEED = "skl2sql_registry"


@dataclass(frozen=True)
class RegistryEntry:
    """One model version. JSON-valued fields are stored as compact, key-sorted JSON text."""

    model_name: str
    model_version: str
    is_default: bool
    mode: str  # "sql" (compiled SQL) or "data" (parameters in seeds, generic SQL)
    estimator: str
    task: str
    input_relation: str
    keep: str  # JSON list
    batch_column: str | None
    features: str  # JSON list of {"name", "type"}
    outputs: str  # JSON list
    classes: str  # JSON {output column: label}
    dialects: str  # JSON list of dbt target types compiled for
    library_versions: str  # JSON {library: version}
    training_metrics: str | None  # JSON {metric: value}
    created_at: str  # UTC, "YYYY-MM-DD HH:MM:SS"


REGISTRY_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(RegistryEntry))


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
