{#- Column types of the monitoring tables. DuckDB's FLOAT is 4 bytes, so dbt.type_float() is not
    used: metric values are 8-byte doubles everywhere. -#}
{% macro monitor_double() %}{{ return(adapter.dispatch('monitor_double', 'skl2sql')()) }}{% endmacro %}
{% macro default__monitor_double() %}{{ return('double precision') }}{% endmacro %}
{% macro duckdb__monitor_double() %}{{ return('double') }}{% endmacro %}
