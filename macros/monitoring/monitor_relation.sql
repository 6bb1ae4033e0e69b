{#- The relation a model config names: ref('x') for a model or seed, source('src', 'table') for
    'source:src.table' (the same spelling as `skl2sql dbt add --input`). -#}
{% macro monitor_relation(name) -%}
  {%- if name.startswith('source:') -%}
    {%- set parts = name[7:].split('.', 1) -%}
    {{- return(source(parts[0], parts[1])) -}}
  {%- else -%}
    {{- return(ref(name)) -}}
  {%- endif -%}
{%- endmacro %}
