{#- An input column read as a double the way scikit-learn reads a feature: a NaN stored in the
    warehouse is a missing value (NULL), not a number that sorts above every other and poisons every
    sum. The compiled SQL does the same (skl2sql.dialects._NAN_TEST); targets whose float types hold
    no NaN (SQL Server, MySQL/MariaDB, SQLite) just cast. -#}
{% macro input_number(column) -%}
    {{ return(adapter.dispatch('input_number', 'skl2sql')(column)) }}
{%- endmacro %}

{% macro default__input_number(column) -%}
    cast({{ column }} as {{ skl2sql.type_double() }})
{%- endmacro %}

{% macro skl2sql_nullif_nan(column) -%}
    nullif(cast({{ column }} as {{ skl2sql.type_double() }}), cast('NaN' as {{ skl2sql.type_double() }}))
{%- endmacro %}

{% macro duckdb__input_number(column) -%}
    {{ skl2sql.skl2sql_nullif_nan(column) }}
{%- endmacro %}

{% macro postgres__input_number(column) -%}
    {{ skl2sql.skl2sql_nullif_nan(column) }}
{%- endmacro %}

{% macro redshift__input_number(column) -%}
    {{ skl2sql.skl2sql_nullif_nan(column) }}
{%- endmacro %}

{% macro snowflake__input_number(column) -%}
    {{ skl2sql.skl2sql_nullif_nan(column) }}
{%- endmacro %}

{% macro spark__input_number(column) -%}
    {{ skl2sql.skl2sql_nullif_nan(column) }}
{%- endmacro %}

{% macro databricks__input_number(column) -%}
    {{ skl2sql.skl2sql_nullif_nan(column) }}
{%- endmacro %}

{% macro bigquery__input_number(column) -%}
    case when is_nan(cast({{ column }} as {{ skl2sql.type_double() }})) then null else cast({{ column }} as {{ skl2sql.type_double() }}) end
{%- endmacro %}
