{#- The logistic function as the compiler writes it, 1 / (1 + exp(-z)) with -z clamped to
    [-700, 700] so no engine over- or underflows (matches scipy.special.expit to about 1 ulp);
    NULL in, NULL out. `z` is a SQL expression. -#}
{% macro sigmoid(z) -%}
    {%- set neg = "(0 - (" ~ z ~ "))" -%}
    {%- set bound = "cast(" ~ skl2sql.exp_limit() ~ " as " ~ skl2sql.type_double() ~ ")" -%}
    1 / (1 + exp(case when {{ neg }} < -{{ bound }} then -{{ bound }} when {{ neg }} > {{ bound }} then {{ bound }} else {{ neg }} end))
{%- endmacro %}
