"""The SQL dbt runs for a model stored as data, for benchmarking outside dbt.

Tree models as data are scored by the package macro ``skl2sql.score_trees_from_nodes``, which
reads the model's depth and size from the loaded seed when dbt compiles it. So the benchmark
builds a throwaway dbt project, adds the model with ``as_data=True`` over a source table
``bench.input``, loads the seed (``dbt seed``), compiles the predict model (``dbt compile``) and
returns the compiled SELECT with the path of the DuckDB file holding the seed. The caller attaches
that file (its catalog name is the file's stem) and creates ``input`` in it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

__all__ = ["compiled_data_mode_sql"]


def _release_duckdb() -> None:
    """Close dbt-duckdb's process-wide handle on the file, so the benchmark can attach it."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
        if env is not None:
            env.close()


def _dbt(project: Path, *args: str) -> None:
    from dbt.cli.main import dbtRunner

    cli = [*args, "--project-dir", str(project), "--profiles-dir", str(project), "--log-level", "none"]
    try:
        result = dbtRunner().invoke(cli)
    finally:
        _release_duckdb()
    if not result.success:
        raise RuntimeError(f"dbt {' '.join(args)} failed: {result.exception}")


def compiled_data_mode_sql(model: Any, name: str, workdir: Path, keep: str = "id") -> tuple[str, Path]:
    """(compiled SELECT of ``predict_<name>``, DuckDB file with the seed) for ``model`` as data."""
    from skl2sql.dbt import add_model

    project = workdir / "project"
    if project.exists():
        shutil.rmtree(project)
    (project / "models" / "staging").mkdir(parents=True)
    for f in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(REPO / "dbt_project" / f, project / f)
    (project / "packages.yml").write_text(f'packages:\n  - local: "{REPO.as_posix()}"\n', encoding="utf-8")
    (project / "models" / "staging" / "bench_sources.yml").write_text(
        "version: 2\nsources:\n  - name: bench\n    schema: main\n    tables:\n      - name: input\n", encoding="utf-8"
    )
    db = workdir / "skl2sql.duckdb"
    for p in (db, db.with_suffix(".duckdb.wal")):
        if p.exists():
            p.unlink()
    add_model(model, name=name, project=project, input="source:bench.input", keep=[keep], as_data=True,
              dialects=["duckdb"])
    old = os.environ.get("SKL2SQL_DUCKDB_PATH")
    os.environ["SKL2SQL_DUCKDB_PATH"] = str(db)
    try:
        _dbt(project, "deps")
        _dbt(project, "seed")
        _dbt(project, "compile", "--select", f"predict_{name}")
    finally:
        if old is None:
            os.environ.pop("SKL2SQL_DUCKDB_PATH", None)
        else:
            os.environ["SKL2SQL_DUCKDB_PATH"] = old
    compiled = next((project / "target" / "compiled").rglob(f"predict_{name}.sql"))
    return compiled.read_text(encoding="utf-8"), db
