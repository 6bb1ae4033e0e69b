"""jinja2 templates of the files ``skl2sql dbt add`` writes (see :mod:`skl2sql.dbt.templating`)."""
