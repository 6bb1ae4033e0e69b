{#- The body of the registry model skl2sql_models (written into a project by `skl2sql dbt add`):
    every version of every model, read from the seed `registry`; `columns`: the seed's columns, as
    skl2sql declares them (skl2sql.dbt.registry.RegistryEntry), in order. is_active says which version
    predict_<name> uses: the one pinned in var skl2sql_versions, else the version added last
    (is_default). A macro, not a package model, so a project with no model added yet has no
    reference to a seed that does not exist and `dbt build` works from the start. -#}
{% macro registry_select(registry, columns=none) -%}
{%- if columns is none -%}
{{ exceptions.raise_compiler_error("skl2sql: models/skl2sql/skl2sql_models.sql was written by an older skl2sql; re-run `skl2sql dbt add` for any model to rewrite it") }}
{%- endif -%}
{%- set pins = var("skl2sql_versions", {}) %}
select
    {%- for column in columns %}
    {{ column }},
    {%- endfor %}
    {%- if pins %}
    case
        {%- for name, version in pins.items() %}
        when model_name = {{ skl2sql.sql_literal(name) }} then model_version = {{ skl2sql.sql_literal(version) }}
        {%- endfor %}
        else is_default
    end as is_active
    {%- else %}
    is_default as is_active
    {%- endif %}
from {{ registry }}
{%- endmacro %}
