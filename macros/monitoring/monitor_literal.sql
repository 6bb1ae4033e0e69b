{#- A SQL string literal (single quotes doubled): feature names, class labels and metric names
    reach SQL as literals through here, identifiers through adapter.quote. -#}
{% macro monitor_literal(value) -%}
  {%- if value is none -%}null{%- else -%}'{{ (value | string) | replace("'", "''") }}'{%- endif -%}
{%- endmacro %}
