{#- The model registry: every version of every model added with `skl2sql dbt add`, read from the
    project's seed skl2sql_registry. is_active says which version predict_<name> uses: the one
    pinned in var skl2sql_versions, else the version added last (is_default). -#}
{{ config(materialized="table") }}
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
from {{ ref("skl2sql_registry") }}
