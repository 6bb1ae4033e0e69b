"""``skl2sql report``: the command-line side of :func:`skl2sql.monitoring.report.write_report`,
kept here so the main CLI only registers it."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import Skl2SqlError

__all__ = ["add_report_parser", "run_report"]


def add_report_parser(sub: Any) -> None:
    r = sub.add_parser(
        "report", help="write the monitoring report (one self-contained HTML file) of a dbt project or DuckDB file"
    )
    r.add_argument("source", nargs="?", default=None, help="DuckDB file with the monitoring tables (or use --project)")
    r.add_argument("--project", "-p", default=None, help="dbt project directory whose default target is DuckDB")
    r.add_argument("-o", "--output", default=None,
                   help="HTML file to write (default: <project>/target/skl2sql_report.html, or beside the DuckDB file)")


def run_report(args: argparse.Namespace) -> int:
    source = args.project or args.source
    if not source:
        raise Skl2SqlError("give a DuckDB file or --project DIR")
    try:
        from .report import write_report
    except ImportError as err:  # pragma: no cover - plotly is in the report/dev extras
        raise Skl2SqlError(f"the report needs plotly: pip install 'skl2sql[report]' ({err})") from None
    try:
        path = write_report(source, args.output)
    except (ValueError, KeyError) as err:
        raise Skl2SqlError(f"report: {err}") from None
    print(path)
    print(f"wrote the monitoring report to {path}", file=sys.stderr)
    return 0
