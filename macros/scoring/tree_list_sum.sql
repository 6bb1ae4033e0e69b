{#- `start` + the elements of the ordered list `values` (from tree_value_list), added one at a
    time from left to right: ((start + v1) + v2) + ..., the order scikit-learn's ensembles use,
    so the double result is bit-identical (SQL's SUM promises no order). DuckDB folds with
    list_reduce (lambda syntax: DuckDB >= 1.3); PostgreSQL feeds the unnested array to sum() with
    an explicit ORDER BY, which fixes the order the transition function sees. -#}
{% macro tree_list_sum(start, values) -%}
    {{ return(adapter.dispatch('tree_list_sum', 'skl2sql')(start, values)) }}
{%- endmacro %}

{% macro default__tree_list_sum(start, values) -%}
    {{ skl2sql.raise_tree_data_target() }}
{%- endmacro %}

{% macro duckdb__tree_list_sum(start, values) -%}
    list_reduce(list_prepend({{ start }}, {{ values }}), lambda skl2sql_a, skl2sql_b: skl2sql_a + skl2sql_b)
{%- endmacro %}

{% macro postgres__tree_list_sum(start, values) -%}
    (select sum(skl2sql_u.v order by skl2sql_u.o) from unnest(array_prepend({{ start }}, {{ values }})) with ordinality as skl2sql_u(v, o))
{%- endmacro %}
