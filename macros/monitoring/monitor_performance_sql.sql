{#- Body of skl2sql_monitor_performance: every monitored model whose labels are configured (in
    its config or the var skl2sql_labels). -#}
{% macro monitor_performance_sql() -%}
  {%- set blocks = [] -%}
  {%- for cfg in skl2sql.monitored_models() if cfg.get('labels') and cfg['labels'].get('relation') -%}
    {%- if cfg['task'] not in ('binary', 'multiclass', 'regression') -%}
      {{ exceptions.raise_compiler_error("skl2sql: labels are configured for model '" ~ cfg['name'] ~ "', whose task '" ~ cfg['task'] ~ "' has no label metrics (binary, multiclass and regression have)") }}
    {%- endif -%}
    {%- do blocks.append(skl2sql.monitor_performance_block(cfg)) -%}
  {%- endfor -%}
{{ skl2sql.monitor_union(blocks) }}
{%- endmacro %}
