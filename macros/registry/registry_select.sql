{#- The body of the registry model skl2sql_models (written into a project by `skl2sql dbt add`):
    every version of every model, read from the seed `registry`. is_active says which version
    predict_<name> uses: the one pinned in var skl2sql_versions, else the version added last
    (is_default). A macro, not a package model, so a project with no model added yet has no
    reference to a seed that does not exist and `dbt build` works from the start. -#}
{% macro registry_select(registry) -%}
{%- set pins = var("skl2sql_versions", {}) %}
select
    model_name,
    model_version,
    mode,
    estimator,
    task,
    input_relation,
    keep,
    batch_column,
    features,
    outputs,
    classes,
    dialects,
    library_versions,
    training_metrics,
    created_at,
    is_default,
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
