{#- Generated from skl2sql's dialect policies (compiler/skl2sql/dialects/) and constants by
    `python -m skl2sql.dbt.dialect_macros`; do not edit: test_dbt_files checks it is current.
    The package's macros read each target's rules here, so they say what the compiled SQL says. -#}

{#- An input read as a double (`x`, already cast) with a stored NaN read as NULL, scikit-learn's
    missing value (DialectPolicy.nan_as_null); targets whose float types hold no NaN keep `x`. -#}
{% macro nan_as_null(x) -%}
    {{ return(adapter.dispatch('nan_as_null', 'skl2sql')(x)) }}
{%- endmacro %}

{% macro default__nan_as_null(x) -%}
    {{ x }}
{%- endmacro %}
[% for target, sql in nan_as_null %]
{% macro [[ target ]]__nan_as_null(x) -%}
    [[ sql ]]
{%- endmacro %}
[% endfor %]
{#- The magnitude below which an input read as a finite number is read as 0, where the engine
    raises on underflow (DialectPolicy.flush_tiny); none elsewhere. -#}
{% macro flush_below() -%}
    {{ return(adapter.dispatch('flush_below', 'skl2sql')()) }}
{%- endmacro %}

{% macro default__flush_below() -%}
    {{ return(none) }}
{%- endmacro %}
[% for target, value in flush_below %]
{% macro [[ target ]]__flush_below() -%}
    {{ return([[ value ]]) }}
{%- endmacro %}
[% endfor %]
{#- The compiler's numeric constants, so the macros write what the compiled SQL writes: the largest
    finite double (skl2sql.ir.DOUBLE_MAX), and the magnitude exp() arguments are clamped to
    (skl2sql.ir.EXP_FLOOR: PostgreSQL raises on exp() underflow below about -745). -#}
{% macro double_max() -%}
    [[ double_max ]]
{%- endmacro %}

{% macro exp_limit() -%}
    [[ exp_limit ]]
{%- endmacro %}
