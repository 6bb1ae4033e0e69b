"""Command line: ``skl2sql compile MODEL --dialect D --table T [--keep COL]... [-o FILE]``.

Errors print one line to stderr and exit with status 2 (no traceback); a pickle file prints a
warning first, because loading it runs code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .api import compile as compile_model
from .assemblers import supported_classes
from .dialects import available_dialects
from .errors import Skl2SqlError
from .loading import load_model
from .monitoring.cli_report import add_report_parser, run_report

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skl2sql", description="Compile fitted scikit-learn, LightGBM and XGBoost models into SQL."
    )
    parser.add_argument("--version", action="version", version=f"skl2sql {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    c = sub.add_parser("compile", help="compile a model file to SQL")
    c.add_argument("model", help="model file: .skops (safe), .joblib/.pkl (pickle: runs code), LightGBM .txt, XGBoost .json/.ubj")
    c.add_argument("--dialect", "-d", default="duckdb", help="SQL dialect (see `skl2sql dialects`), default duckdb")
    c.add_argument("--table", "-t", required=True, help="input table or view, optionally qualified (schema.table)")
    c.add_argument("--keep", "-k", action="append", default=[], metavar="COL", help="column passed through (repeatable)")
    c.add_argument(
        "--features", "-f", default=None, metavar="A,B,...",
        help="comma-separated input column names, for models fitted on arrays",
    )
    c.add_argument("--expressions", action="store_true", help="print one bare expression per output instead of a SELECT")
    c.add_argument("--pretty", action="store_true", help="format the SQL over several lines")
    c.add_argument(
        "--no-batch", dest="batch", action="store_false",
        help="lay the SQL out for a view queried with filters (DuckDB: no materialized stages, so a "
        "WHERE reaches the scan); default: for scoring whole tables",
    )
    c.add_argument("-o", "--output", default=None, help="write the SQL to this file instead of stdout")

    _add_dbt_parser(sub)

    sub.add_parser("dialects", help="list SQL dialects")
    sub.add_parser("estimators", help="list the classes that compile, by import path")
    add_report_parser(sub)
    return parser


def _add_dbt_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``skl2sql dbt add``: the dbt subcommands (see docs/dbt.md)."""
    d = sub.add_parser("dbt", help="write models into a dbt project")
    dsub = d.add_subparsers(dest="dbt_command", required=True)
    a = dsub.add_parser(
        "add",
        help="add (or update) a model in a dbt project: score macro, predict_<name> models, registry row",
    )
    a.add_argument("model", help="model file (as for `skl2sql compile`)")
    a.add_argument("--name", "-n", required=True, help="model name: predict_<name>, score_<name>")
    a.add_argument("--project", "-p", default=".", help="dbt project directory (default: current directory)")
    a.add_argument("--input", "-i", required=True, help="model to score (ref), or source:SOURCE.TABLE")
    a.add_argument("--keep", "-k", action="append", default=[], metavar="COL",
                   help="key column passed through (repeatable or comma-separated; at least one)")
    a.add_argument("--dialects", "-d", default=None, metavar="T1,T2",
                   help="dbt target types to compile for (default: the types in the project's profiles.yml, else duckdb)")
    a.add_argument("--features", "-f", default=None, metavar="A,B,...",
                   help="comma-separated input column names, for models fitted on arrays")
    a.add_argument("--training-data", default=None, metavar="FILE",
                   help=".parquet/.csv training data: feature types, and the monitoring baseline when available")
    a.add_argument("--as-data", action="store_true",
                   help="store the parameters as seed rows scored by the package's generic SQL (linear models; trees, forests and gradient boosting)")
    a.add_argument("--batch-column", default=None, metavar="COL",
                   help="input column naming the scoring batch in predict_<name>_log (default: dbt invocation id)")
    a.add_argument("--metric", action="append", default=[], metavar="NAME=VALUE",
                   help="training metric recorded in the registry (repeatable)")


def _split(values: Sequence[str]) -> list[str]:
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def _cmd_dbt_add(args: argparse.Namespace) -> int:
    from .dbt import add_model

    metrics: dict[str, float] = {}
    for item in args.metric:
        key, sep, value = item.partition("=")
        try:
            if not sep or not key.strip():
                raise ValueError
            metrics[key.strip()] = float(value)
        except ValueError:
            raise Skl2SqlError(f"--metric {item!r}: write NAME=NUMBER") from None
    model = load_model(args.model)
    result = add_model(
        model,
        name=args.name,
        project=args.project,
        input=args.input,
        keep=_split(args.keep),
        dialects=_split([args.dialects]) if args.dialects else None,
        features=_split([args.features]) if args.features else None,
        training_data=args.training_data,
        as_data=args.as_data,
        batch_column=args.batch_column,
        metrics=metrics or None,
    )
    state = "new version" if result.new_version else "unchanged version"
    print(f"model {result.name}: {state} {result.version}")
    for path in result.files:
        print(f"  {path}")
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def _cmd_compile(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    features = [f.strip() for f in args.features.split(",")] if args.features else None
    compiled = compile_model(
        model, table=args.table, dialect=args.dialect, keep=args.keep, features=features, batch=args.batch
    )
    if args.expressions:
        text = "\n".join(f"{name}: {sql}" for name, sql in compiled.expressions().items())
    else:
        text = compiled.to_sql(pretty=args.pretty)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        print(f"wrote {len(text):,} bytes of {compiled.dialect} SQL to {args.output}", file=sys.stderr)
    else:
        print(text)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "compile":
            return _cmd_compile(args)
        if args.command == "dbt":
            return _cmd_dbt_add(args)
        if args.command == "report":
            return run_report(args)
        if args.command == "dialects":
            print("\n".join(available_dialects()))
            return 0
        if args.command == "estimators":
            print("\n".join(supported_classes()))
            return 0
    except Skl2SqlError as err:
        print(f"skl2sql: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"skl2sql: error: {err}", file=sys.stderr)
        return 2
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
