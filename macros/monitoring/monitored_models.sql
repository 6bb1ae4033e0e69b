{#- The models under monitoring: one dict per model, from the root-project macros
    skl2sql_monitor_config__<name>() that `skl2sql dbt add --training-data` writes.

    Why macros: the monitoring models are one table for all models, so they enumerate the models
    while dbt parses (refs found only at run time are refused); root-project macros are visible
    here at parse time. The var skl2sql_labels ({name: {relation, label_column, key}}) sets or
    overrides where a model's labels come from, so labels can be wired after `dbt add`. -#}
{% macro monitored_models() %}
  {%- set labels_var = var('skl2sql_labels', {}) or {} -%}
  {%- set only = var('skl2sql_monitored', none) -%}
  {%- set out = [] -%}
  {%- for key in context.keys() | sort -%}
    {%- if key.startswith('skl2sql_monitor_config__') -%}
      {%- set cfg = context[key]() -%}
      {%- if only is none or cfg['name'] in only -%}
        {%- set cfg = dict(cfg) -%}
        {%- if cfg['name'] in labels_var -%}
          {%- set lab = dict(cfg['labels'] or {}) -%}
          {%- do lab.update(labels_var[cfg['name']]) -%}
          {%- do cfg.update({'labels': lab}) -%}
        {%- endif -%}
        {%- do out.append(cfg) -%}
      {%- endif -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(out) }}
{% endmacro %}
