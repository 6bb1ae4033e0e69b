{#- Body of skl2sql_monitor_prediction_drift: drift of every monitored model's outputs
    (probabilities or regression values as numeric columns, the predicted label as a category). -#}
{% macro monitor_prediction_drift_sql() -%}
  {%- set blocks = [] -%}
  {%- for cfg in skl2sql.monitored_models() if cfg['prediction_numeric'] or cfg['prediction_categorical'] -%}
    {%- do blocks.append(skl2sql.monitor_drift_block(cfg, skl2sql.monitor_prediction_values(cfg),
                                                     skl2sql.monitor_batches(cfg, is_incremental()), 'prediction')) -%}
  {%- endfor -%}
{{ skl2sql.monitor_union(blocks) }}
{%- endmacro %}
