{#- A Jinja value as a SQL literal: strings quoted with embedded quotes doubled, booleans as
    true/false, numbers as written, none as null. Used for class labels and model versions, which
    come from the generated files and must never be pasted unquoted. -#}
{% macro sql_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is sameas true -%}
        true
    {%- elif value is sameas false -%}
        false
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        '{{ (value | string) | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}
