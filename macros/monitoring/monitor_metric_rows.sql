{#- The closing SELECT every monitoring block shares: the long rows (model_name, model_version,
    batch, feature, metric, value, scored_at) of the block's `metrics` CTE (batch, model_version,
    [feature,] metric, value), joined to its `batches` CTE for the scoring time. Whole-model
    blocks pass feature_column=none (NULL feature). -#}
{% macro monitor_metric_rows(cfg, feature_column='m.feature') -%}
  {%- set dbl = skl2sql.monitor_double() -%}
  {%- set txt = skl2sql.monitor_text() -%}
select
    cast({{ skl2sql.monitor_literal(cfg['name']) }} as {{ txt }}) as model_name,
    b.model_version,
    m.batch,
    cast({{ feature_column if feature_column else 'null' }} as {{ txt }}) as feature,
    cast(m.metric as {{ txt }}) as metric,
    cast(m.value as {{ dbl }}) as value,
    b.scored_at
from metrics as m
join batches as b on b.batch = m.batch and b.model_version = m.model_version
{%- endmacro %}
