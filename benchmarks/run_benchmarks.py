"""Run the skl2sql benchmarks: ``make bench`` (or ``python benchmarks/run_benchmarks.py``).

Generates ``--rows`` rows (1,000,000 by default; ``--quick``: 100,000) in DuckDB with NumPy and a
fixed seed, then runs every registered case of :mod:`cases` whose estimators compile, and prints a
markdown table of ratios measured in the same run (best of ``--repeat``), with the machine noted.
The table is also written to ``benchmarks/results/latest.md`` (gitignored). See
``docs/benchmarks.md`` for what each ratio means.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "warehouse_tests"))  # engines.PG_DSN for the PostgreSQL cases

import duckdb  # noqa: E402
from cases import CASES, Bench, missing_requirements  # noqa: E402
from harness import Result, generate, machine_notes, markdown  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="100,000 rows, 2 repeats, 20,000 PostgreSQL rows")
    p.add_argument("--rows", type=int, default=None, help="rows in DuckDB (default 1,000,000)")
    p.add_argument("--repeat", type=int, default=None, help="best of N (default 3)")
    p.add_argument("--train-rows", type=int, default=20_000, help="rows the models are fitted on")
    p.add_argument("--pg-rows", type=int, default=None, help="rows in the PostgreSQL cases (default 200,000)")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds before one SQL statement is interrupted")
    p.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: DuckDB's own choice)")
    p.add_argument("--cases", default=None, help=f"comma-separated subset of: {', '.join(CASES)}")
    p.add_argument("--list", action="store_true", help="list the cases and whether they can run, then exit")
    p.add_argument("--output", default=str(HERE / "results" / "latest.md"), help="where to write the table")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.list:
        for name, c in CASES.items():
            why = missing_requirements(c)
            print(f"{name:22s} {'runs' if not why else 'skipped: ' + why}  - {c.description}")
        return 0
    rows = args.rows or (100_000 if args.quick else 1_000_000)
    repeat = args.repeat or (2 if args.quick else 3)
    pg_rows = args.pg_rows or (20_000 if args.quick else 200_000)
    selected = list(CASES) if not args.cases else [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [c for c in selected if c not in CASES]
    if unknown:
        print(f"unknown case(s) {unknown}; known: {', '.join(CASES)}", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    frame, labels = generate(rows)
    con = _connect(frame, args.threads)
    threads = con.execute("SELECT current_setting('threads')").fetchall()[0]
    print(f"generated {rows:,} rows in {time.perf_counter() - t0:.1f}s; DuckDB threads = {threads[0] if threads else '?'}")

    bench = Bench(
        rows=rows, repeat=repeat, train_rows=min(args.train_rows, rows), timeout=args.timeout,
        pg_rows=pg_rows, frame=frame, labels=labels, con=con,
    )
    results: list[Result] = []
    for name in selected:
        c = CASES[name]
        why = missing_requirements(c)
        if why:
            print(f"[{name}] skipped: {why}")
            results.append(Result(name, skipped=why))
            continue
        print(f"[{name}] {c.description}")
        # A fresh connection per case: one long process with every case in one database ran the
        # later cases up to 2x slower (HistGradientBoosting 1.6 s after the others, 0.85 s alone)
        bench.con.close()
        bench.con = _connect(frame, args.threads)
        start = time.perf_counter()
        try:
            results.append(c.run(bench))
        except Exception as err:  # noqa: BLE001 - one broken case must not hide the others
            msg = f"{type(err).__name__}: {err}".replace("|", "/").replace("\n", " ")[:200]
            print(f"[{name}] FAILED: {msg}")
            results.append(Result(name, skipped=f"failed: {msg}"))
        print(f"[{name}] done in {time.perf_counter() - start:.1f}s")

    settings = {
        "rows (DuckDB)": f"{rows:,}",
        "rows (PostgreSQL)": f"{pg_rows:,}",
        "repeats (best of)": str(repeat),
        "training rows": f"{bench.train_rows:,}",
        "DuckDB threads": str(threads[0] if threads else "?"),
    }
    table = markdown(results, machine_notes(), settings)
    print()
    print(table)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table, encoding="utf-8")
    print(f"wrote {out}")
    bench.con.close()
    return 0


def _connect(frame: Any, threads: int | None) -> Any:
    """An in-memory DuckDB holding ``frame`` as table ``input``."""
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.register("frame_view", frame)
    con.execute('CREATE TABLE "input" AS SELECT * FROM frame_view')
    con.unregister("frame_view")
    return con


if __name__ == "__main__":
    sys.exit(main())
