{#- Body of skl2sql_monitor_feature_drift: drift of every monitored model's input features. -#}
{% macro monitor_feature_drift_sql() -%}
  {%- set blocks = [] -%}
  {%- for cfg in skl2sql.monitored_models() if cfg.get('input') and (cfg['numeric'] or cfg['categorical']) -%}
    {%- set batches_sql = skl2sql.monitor_batches(cfg, is_incremental()) -%}
    {%- do blocks.append(skl2sql.monitor_drift_block(cfg, skl2sql.monitor_feature_values(cfg, batches_sql),
                                                     batches_sql, 'feature')) -%}
  {%- endfor -%}
{{ skl2sql.monitor_union(blocks) }}
{%- endmacro %}
