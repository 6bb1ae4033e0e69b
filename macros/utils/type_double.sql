{#- The 8-byte float type. dbt's type_float() is 4-byte FLOAT on DuckDB, which would round every
    weight and feature; skl2sql's exactness needs double precision everywhere. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'skl2sql')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}
