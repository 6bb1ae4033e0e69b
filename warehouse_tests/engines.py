"""Real database engines for the parity matrix: load a table, run SQL, read columns back.

DuckDB and SQLite run in-process; PostgreSQL and MariaDB are the local servers. Every table gets a
unique name, so tests (and several pytest workers) can share one server. Tables are built with
sqlglot so hostile column names are quoted exactly as the compiler quotes them.

SQLite builds without math functions get ``exp``/``ln``/``sqrt``/``power``... registered here (the
README says so): skl2sql's SQL needs them and SQLite only ships them when compiled in.
"""

from __future__ import annotations

import math
import os
import sqlite3
import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
from sqlglot import exp

ENGINES = ("duckdb", "sqlite", "postgres", "mariadb")
DIALECT = {"duckdb": "duckdb", "sqlite": "sqlite", "postgres": "postgres", "mariadb": "mysql"}

PG_DSN = os.environ.get("SKL2SQL_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=test")
MARIADB = {
    "host": os.environ.get("SKL2SQL_MARIADB_HOST", "127.0.0.1"),
    "port": int(os.environ.get("SKL2SQL_MARIADB_PORT", "3306")),
    "user": os.environ.get("SKL2SQL_MARIADB_USER", "root"),
    "password": os.environ.get("SKL2SQL_MARIADB_PASSWORD", ""),
    "database": os.environ.get("SKL2SQL_MARIADB_DB", "test"),
}


def required_engines() -> set[str]:
    """Engines that must run (a skip is a failure), from ``SKL2SQL_REQUIRED_ENGINES``."""
    raw = os.environ.get("SKL2SQL_REQUIRED_ENGINES", "duckdb,sqlite")
    return {e.strip() for e in raw.split(",") if e.strip()}


class EngineUnavailable(Exception):
    pass


class Engine:
    """A connection plus the conventions of one engine."""

    name: str
    placeholder = "?"

    def __init__(self) -> None:
        self.dialect = DIALECT[self.name]

    # -- overridden -----------------------------------------------------------------------
    def _cursor(self) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def type_name(self, kind: str) -> str:
        return {"float": "DOUBLE", "int": "BIGINT", "str": "VARCHAR(200)"}[kind]

    # -- shared ---------------------------------------------------------------------------
    def alive(self) -> bool:
        """Whether the connection still answers."""
        try:
            self.execute("SELECT 1").fetchall()
            return True
        except Exception:  # noqa: BLE001 - any driver error means: reconnect
            return False

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        cur = self._cursor()
        if params is None:
            cur.execute(sql)
        else:
            cur.execute(sql, params)
        return cur

    def new_table_name(self, prefix: str = "t") -> str:
        return f"{prefix}_{uuid.uuid4().hex[:12]}"

    def create_table(self, name: str, columns: dict[str, Sequence[Any]]) -> str:
        """Create ``name`` with ``columns`` (lists; None / NaN are NULL); returns the name."""
        kinds = {c: _kind(v) for c, v in columns.items()}
        table = exp.Table(this=exp.Identifier(this=name, quoted=True))
        schema = exp.Schema(
            this=table,
            expressions=[
                exp.ColumnDef(
                    this=exp.Identifier(this=c, quoted=True),
                    kind=exp.DataType.build(self.type_name(k), dialect=self.dialect),
                )
                for c, k in kinds.items()
            ],
        )
        self.execute(exp.Create(this=schema, kind="TABLE").sql(dialect=self.dialect))
        rows = list(zip(*[[_clean(x, kinds[c]) for x in v] for c, v in columns.items()], strict=True))
        if rows:
            insert = "INSERT INTO " + table.sql(dialect=self.dialect)
            values = " VALUES (" + ", ".join([self.placeholder] * len(columns)) + ")"
            self.executemany(insert + values, rows)
        return name

    def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        cur = self._cursor()
        cur.executemany(sql, rows)

    def drop_table(self, name: str) -> None:
        table = exp.Table(this=exp.Identifier(this=name, quoted=True))
        self.execute(exp.Drop(tables=[table], kind="TABLE", exists=True).sql(dialect=self.dialect))

    def query(self, sql: str) -> dict[str, np.ndarray]:
        """Run a SELECT and return its columns as arrays (floats, or objects for text)."""
        cur = self.execute(sql)
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
        cols: dict[str, np.ndarray] = {}
        for i, n in enumerate(names):
            vals = [r[i] for r in rows]
            cols[n] = _to_array(vals, where=f"{self.name}:{n}")
        return cols


def _kind(values: Sequence[Any]) -> str:
    kinds = set()
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        if isinstance(v, (bool, np.bool_)):
            kinds.add("int")
        elif isinstance(v, (int, np.integer)):
            kinds.add("int")
        elif isinstance(v, (float, np.floating)):
            kinds.add("float")
        else:
            kinds.add("str")
    if "str" in kinds:
        return "str"
    if "float" in kinds:
        return "float"
    return "int" if kinds else "float"


def _clean(v: Any, kind: str) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if kind == "str":
        return str(v)
    if kind == "int":
        return int(v)
    return float(v)


def _to_array(vals: list[Any], where: str) -> np.ndarray:
    if any(isinstance(v, Decimal) for v in vals):
        raise AssertionError(
            f"{where}: the engine returned DECIMAL values; skl2sql must produce DOUBLE outputs"
        )
    if all(v is None or isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in vals):
        return np.array([np.nan if v is None else float(v) for v in vals], dtype=np.float64)
    return np.array(vals, dtype=object)


class DuckDBEngine(Engine):
    name = "duckdb"

    def __init__(self) -> None:
        super().__init__()
        import duckdb

        self.con = duckdb.connect()

    def _cursor(self) -> Any:
        return self.con

    def close(self) -> None:
        self.con.close()


class SQLiteEngine(Engine):
    name = "sqlite"

    def __init__(self) -> None:
        super().__init__()
        self.con = sqlite3.connect(":memory:")
        register_sqlite_math(self.con)

    def type_name(self, kind: str) -> str:
        return {"float": "REAL", "int": "INTEGER", "str": "TEXT"}[kind]

    def _cursor(self) -> Any:
        return self.con.cursor()

    def close(self) -> None:
        self.con.close()


def register_sqlite_math(con: sqlite3.Connection) -> None:
    """Register the math functions skl2sql emits when this SQLite was built without them."""
    try:
        con.execute("SELECT exp(1), ln(2), sqrt(4), power(2, 3), log(10, 100), sign(-1), cos(0), sin(0), asin(0)")
        return
    except sqlite3.OperationalError:
        pass

    def guard(fn: Callable[..., float]) -> Callable[..., float | None]:
        def wrapped(*args: Any) -> float | None:
            if any(a is None for a in args):
                return None
            try:
                return fn(*map(float, args))
            except (ValueError, OverflowError):
                return None

        return wrapped

    con.create_function("exp", 1, guard(math.exp), deterministic=True)
    con.create_function("ln", 1, guard(math.log), deterministic=True)
    con.create_function("sqrt", 1, guard(math.sqrt), deterministic=True)
    con.create_function("power", 2, guard(math.pow), deterministic=True)
    con.create_function("pow", 2, guard(math.pow), deterministic=True)
    con.create_function("log", 2, guard(lambda b, x: math.log(x, b)), deterministic=True)
    con.create_function("log10", 1, guard(math.log10), deterministic=True)
    con.create_function("floor", 1, guard(math.floor), deterministic=True)
    con.create_function("ceil", 1, guard(math.ceil), deterministic=True)
    con.create_function("sign", 1, guard(lambda x: float((x > 0) - (x < 0))), deterministic=True)
    con.create_function("cos", 1, guard(math.cos), deterministic=True)
    con.create_function("sin", 1, guard(math.sin), deterministic=True)
    con.create_function("asin", 1, guard(math.asin), deterministic=True)


class PostgresEngine(Engine):
    name = "postgres"
    placeholder = "%s"

    def __init__(self) -> None:
        super().__init__()
        try:
            import psycopg

            self.con = psycopg.connect(PG_DSN, autocommit=True, connect_timeout=3)
        except Exception as err:  # noqa: BLE001
            raise EngineUnavailable(f"PostgreSQL at {PG_DSN!r}: {err}") from err

    def type_name(self, kind: str) -> str:
        return {"float": "DOUBLE PRECISION", "int": "BIGINT", "str": "TEXT"}[kind]

    def _cursor(self) -> Any:
        return self.con.cursor()

    def close(self) -> None:
        self.con.close()


class MariaDBEngine(Engine):
    name = "mariadb"
    placeholder = "%s"

    def __init__(self) -> None:
        super().__init__()
        try:
            import pymysql

            self.con = pymysql.connect(**MARIADB, autocommit=True, connect_timeout=3, charset="utf8mb4")
        except Exception as err:  # noqa: BLE001
            raise EngineUnavailable(f"MariaDB at {MARIADB['host']}:{MARIADB['port']}: {err}") from err

    def type_name(self, kind: str) -> str:
        return {"float": "DOUBLE", "int": "BIGINT", "str": "VARCHAR(200)"}[kind]

    def _cursor(self) -> Any:
        return self.con.cursor()

    def close(self) -> None:
        self.con.close()


FACTORIES: dict[str, Callable[[], Engine]] = {
    "duckdb": DuckDBEngine,
    "sqlite": SQLiteEngine,
    "postgres": PostgresEngine,
    "mariadb": MariaDBEngine,
}
