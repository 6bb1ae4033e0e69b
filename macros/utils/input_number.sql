{#- An input column read as a double the way scikit-learn reads a feature: a NaN stored in the
    warehouse is a missing value (NULL), not a number that sorts above every other and poisons every
    sum. The rule per target is the compiled SQL's (skl2sql.nan_as_null, generated from the dialect
    policies): NULLIF where NaN = NaN holds, IS_NAN where comparison is IEEE; targets whose float
    types hold no NaN (SQL Server, MySQL/MariaDB, SQLite) just cast. Dispatched, so a project can
    override it per adapter. -#}
{% macro input_number(column) -%}
    {{ return(adapter.dispatch('input_number', 'skl2sql')(column)) }}
{%- endmacro %}

{% macro default__input_number(column) -%}
    {{ skl2sql.nan_as_null("cast(" ~ column ~ " as " ~ skl2sql.type_double() ~ ")") }}
{%- endmacro %}

{#- An input column read as a double that is NULL unless finite (and, given `bound`, an SQL
    expression, within [-bound, bound]): for a consumer that refuses infinity (as scikit-learn's
    input validation does) and whose result is NULL whenever the input is, e.g. a linear score.
    One range check, false for ±infinity and for NaN on every target (NaN compares false, or above
    every number where NaN = NaN holds), so no NaN test is needed. -#}
{% macro input_finite(column, bound=none) -%}
    {{ return(adapter.dispatch('input_finite', 'skl2sql')(column, bound)) }}
{%- endmacro %}

{% macro default__input_finite(column, bound=none) -%}
    {%- set x = "cast(" ~ column ~ " as " ~ skl2sql.type_double() ~ ")" -%}
    {%- set limit = bound if bound is not none else "cast(" ~ skl2sql.double_max() ~ " as " ~ skl2sql.type_double() ~ ")" -%}
    {#- where the engine raises on a product that underflows to zero (PostgreSQL), magnitudes below
        skl2sql.flush_below() read as 0, as the compiled SQL does (DialectPolicy.flush_tiny) -#}
    {%- set tiny = skl2sql.flush_below() -%}
    {%- if tiny is not none -%}
    case when abs({{ x }}) < {{ tiny }} then 0 when {{ x }} >= -{{ limit }} and {{ x }} <= {{ limit }} then {{ x }} end
    {%- else -%}
    case when {{ x }} >= -{{ limit }} and {{ x }} <= {{ limit }} then {{ x }} end
    {%- endif -%}
{%- endmacro %}

{#- An input column read as a double (input_number) with +infinity as the largest double and
    -infinity as its negative: for tree models stored as data that take infinity as a value
    (HistGradientBoosting, LightGBM, XGBoost). Their split at +inf is stored as the largest double
    (skl2sql.dbt.tree_data.INFINITE_THRESHOLD), and every comparison with a stored threshold goes
    the same way for ±infinity and for its stand-in. NULL stays NULL (LEAST/GREATEST would skip
    it on PostgreSQL). -#}
{% macro input_clipped(column) -%}
    {{ return(adapter.dispatch('input_clipped', 'skl2sql')(column)) }}
{%- endmacro %}

{% macro default__input_clipped(column) -%}
    {%- set x = skl2sql.input_number(column) -%}
    {%- set max_double = "cast(" ~ skl2sql.double_max() ~ " as " ~ skl2sql.type_double() ~ ")" -%}
    case when {{ x }} > {{ max_double }} then {{ max_double }} when {{ x }} < -{{ max_double }} then -{{ max_double }} else {{ x }} end
{%- endmacro %}
