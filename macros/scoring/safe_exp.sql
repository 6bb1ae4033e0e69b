{#- exp(x) with x clamped at -700: PostgreSQL raises "value out of range: underflow" below about
    -745, where every engine's exp is 0 to within 1e-304 anyway. Written as CASE (not GREATEST,
    which skips NULLs on some engines) so a NULL x stays NULL. `x` is a SQL expression. -#}
{% macro safe_exp(x) -%}
    exp(case when ({{ x }}) < cast(-700 as {{ skl2sql.type_double() }}) then cast(-700 as {{ skl2sql.type_double() }}) else ({{ x }}) end)
{%- endmacro %}
