"""MySQL and MariaDB: measured on MariaDB 10.11."""

from __future__ import annotations

from .policy import ANSI
from .writers import fence_limit

__all__ = ["MYSQL"]

MYSQL = ANSI.derive(
    "mysql",
    dbt_targets=("mysql", "mariadb"),
    float32_type="FLOAT",
    max_identifier=64,
    # the default collations are case- and accent-insensitive and ignore trailing spaces
    # ('a' = 'A ' is true): category literals carry a binary collation (on the literal, so a
    # latin1 column is converted to it: `column COLLATE utf8mb4_bin` is an error for latin1, and
    # `BINARY column` compares latin1 bytes with UTF-8 bytes, so 'rëd' never matched) and both
    # sides get a non-space sentinel appended, as PAD SPACE ignores trailing spaces even then
    binary_collation="utf8mb4_bin",
    pad_space=True,
    # derived tables are merged into their readers (9 stages read 3 times each: 4 s to plan)
    fence=fence_limit,
    # "Too many WITH elements in WITH clause" for a 65th (see plan/with_limit.py)
    max_with_elements=64,
    # float types refuse NaN: nothing to test
)
