"""Render the generated dbt files from jinja2 templates kept in ``templates/``.

The files are themselves dbt Jinja, so the templates use other delimiters (``[[ ]]``, ``[% %]``,
``[# #]``) and every ``{{ }}`` in them is dbt's. Values reach a template already written as Jinja
literals (:func:`~skl2sql.dbt.text.jinja_literal`): names are never pasted unquoted.
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2

__all__ = ["render_template"]


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("skl2sql.dbt", "templates"),
        block_start_string="[%",
        block_end_string="%]",
        variable_start_string="[[",
        variable_end_string="]]",
        comment_start_string="[#",
        comment_end_string="#]",
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )


def render_template(template: str, **values: Any) -> str:
    """The file ``templates/<template>`` rendered with ``values``."""
    return _environment().get_template(template).render(**values)
