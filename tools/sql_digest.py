"""Prove a refactoring changed no SQL: hash what every compile of the test matrix writes.

    python tools/sql_digest.py --out /tmp/new.digest                 # the working tree
    python tools/sql_digest.py --commit 96b6ca4 --out /tmp/old.digest  # another commit (git worktree)
    python tools/sql_digest.py --compare /tmp/old.digest /tmp/new.digest

It runs the engine-free and DuckDB tiers of ``warehouse_tests`` with a plugin that wraps
``skl2sql.compile``: each call made by a test is compiled again for every dialect in ``DIALECTS``
(or its error recorded), and ``test id #call dialect -> sha256(sql)`` is written. The parity
matrix, the golden files, the hostile names and the fuzz regressions all compile through it, so
two digests that agree mean the whole matrix writes byte-identical SQL on every dialect.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DIALECTS = (
    "duckdb", "sqlite", "postgres", "mysql", "tsql", "spark", "databricks", "clickhouse",
    "snowflake", "bigquery", "trino", "redshift", "oracle",
)
#: A test table's random name (``engines.Engine.new_table_name``: prefix, underscore, 12 hex digits).
RANDOM_TABLE = re.compile(r"^(\w+?)_[0-9a-f]{12}$")
#: Tiers hashed: every compile the suite makes except those repeated per server engine.
MARKERS = "not server and not sqlite and not dbt and not slow"


class DigestPlugin:
    """pytest plugin: records the hash of every dialect's SQL for each ``compile`` a test makes."""

    def __init__(self, out: Path) -> None:
        self.out = out.with_name(f"{out.name}.{os.environ.get('PYTEST_XDIST_WORKER', 'main')}")
        self.lines: list[str] = []
        self.current = ""
        self.calls = 0
        self.depth = 0
        import skl2sql
        import skl2sql.api

        original = skl2sql.api.compile

        def compile_and_record(estimator: Any, table: str, dialect: str = "duckdb", *args: Any, **kw: Any) -> Any:
            self.depth += 1
            try:
                result = original(estimator, table, dialect, *args, **kw)
                if self.depth == 1:
                    self.record(original, estimator, table, args, kw)
                return result
            finally:
                self.depth -= 1

        skl2sql.compile = skl2sql.api.compile = compile_and_record  # type: ignore[assignment]

    def record(self, original: Any, estimator: Any, table: str, args: Any, kw: Any) -> None:
        self.calls += 1
        # the test tables' random names (engines.Engine.new_table_name) are not the model's SQL
        table = RANDOM_TABLE.sub(r"\1_TABLE", table)
        for d in DIALECTS:
            try:
                text = original(estimator, table, d, *args, **kw).sql
            except Exception as err:  # noqa: BLE001 - the error is part of the behaviour
                text = f"{type(err).__name__}: {err}"
            digest = hashlib.sha256(text.encode()).hexdigest()[:16]
            self.lines.append(f"{self.current} #{self.calls} {d} {digest}")

    def pytest_runtest_setup(self, item: Any) -> None:
        self.current = item.nodeid
        self.calls = 0

    def pytest_sessionfinish(self) -> None:
        if self.lines:
            self.out.write_text("".join(line + "\n" for line in self.lines))


def pytest_configure(config: Any) -> None:
    """Loaded with ``-p sql_digest`` (in every xdist worker): register the plugin there."""
    out = os.environ.get("SKL2SQL_DIGEST_OUT")
    if out:
        config.pluginmanager.register(DigestPlugin(Path(out)), "sql_digest_plugin")


def run_here(out: Path, root: Path) -> int:
    """Run the tiers in ``root`` with the plugin, one worker per process writing to ``out``."""
    parts = list(out.parent.glob(f"{out.name}.*"))
    for part in [out, *parts]:
        part.unlink(missing_ok=True)
    env = dict(
        os.environ,
        PYTHONPATH=f"{root / 'compiler'}{os.pathsep}{ROOT / 'tools'}",
        SKL2SQL_DIGEST_OUT=str(out),
    )
    command = [sys.executable, "-m", "pytest", "-q", "-n", str(os.cpu_count() or 2), "-p", "sql_digest",
               "-p", "no:cacheprovider", "-m", MARKERS, str(root / "warehouse_tests")]
    rc = subprocess.call(command, cwd=root, env=env)
    lines = sorted({line for part in out.parent.glob(f"{out.name}.*") for line in part.read_text().splitlines()})
    for part in out.parent.glob(f"{out.name}.*"):
        part.unlink()
    out.write_text("".join(line + "\n" for line in lines))
    print(f"{len(lines)} hashes written to {out}")
    return rc


def compare(a: Path, b: Path) -> int:
    old = dict(line.rsplit(" ", 1) for line in a.read_text().splitlines())
    new = dict(line.rsplit(" ", 1) for line in b.read_text().splitlines())
    changed = sorted(k for k in old.keys() & new.keys() if old[k] != new[k])
    only_old = sorted(old.keys() - new.keys())
    only_new = sorted(new.keys() - old.keys())
    for title, keys in (("changed", changed), ("only in the first", only_old), ("only in the second", only_new)):
        for k in keys[:20]:
            print(f"{title}: {k}")
    same = len(old.keys() & new.keys()) - len(changed)
    print(f"{same} identical, {len(changed)} changed, {len(only_old)} only in {a}, {len(only_new)} only in {b}")
    return 1 if changed or only_old or only_new else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path)
    p.add_argument("--commit", help="hash this commit instead of the working tree (checked out in a git worktree)")
    p.add_argument("--compare", nargs=2, type=Path, metavar=("OLD", "NEW"))
    args = p.parse_args()
    if args.compare:
        return compare(*args.compare)
    if args.out is None:
        p.error("--out is required")
    out = args.out.resolve()
    if not args.commit:
        return run_here(out, ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.check_call(["git", "worktree", "add", "--detach", "-q", str(tree), args.commit], cwd=ROOT)
        try:
            return run_here(out, tree)
        finally:
            subprocess.call(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
