{#- exp(x) with x clamped at -700 (skl2sql.exp_limit()): PostgreSQL raises "value out of range: underflow" below about
    -745, where every engine's exp is 0 to within 1e-304 anyway. Written as CASE (not GREATEST,
    which skips NULLs on some engines) so a NULL x stays NULL. `x` is a SQL expression. -#}
{% macro safe_exp(x) -%}
    {%- set floor = "cast(-" ~ skl2sql.exp_limit() ~ " as " ~ skl2sql.type_double() ~ ")" -%}
    exp(case when ({{ x }}) < {{ floor }} then {{ floor }} else ({{ x }}) end)
{%- endmacro %}
