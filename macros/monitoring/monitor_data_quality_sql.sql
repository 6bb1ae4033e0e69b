{#- Body of skl2sql_monitor_data_quality: rows scored and input data quality of every monitored model. -#}
{% macro monitor_data_quality_sql() -%}
  {%- set blocks = [] -%}
  {%- for cfg in skl2sql.monitored_models() if cfg.get('input') and (cfg['numeric'] or cfg['categorical']) -%}
    {%- do blocks.append(skl2sql.monitor_data_quality_block(cfg, skl2sql.monitor_batches(cfg, is_incremental()))) -%}
  {%- endfor -%}
{{ skl2sql.monitor_union(blocks) }}
{%- endmacro %}
