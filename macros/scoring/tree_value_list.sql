{#- Aggregate: the values of `value` for the rows where `condition` holds, as a list ordered by
    `order` (the tree number). Paired with tree_list_sum, which adds them left to right, so a
    score is summed in tree order exactly as scikit-learn sums it. Dispatched: DuckDB list(),
    PostgreSQL array_agg(); other adapters have no ordered fold here and stop with an error. -#}
{% macro tree_value_list(value, order, condition) -%}
    {{ return(adapter.dispatch('tree_value_list', 'skl2sql')(value, order, condition)) }}
{%- endmacro %}

{% macro default__tree_value_list(value, order, condition) -%}
    {{ skl2sql.raise_tree_data_target() }}
{%- endmacro %}

{% macro duckdb__tree_value_list(value, order, condition) -%}
    list({{ value }} order by {{ order }}) filter (where {{ condition }})
{%- endmacro %}

{% macro postgres__tree_value_list(value, order, condition) -%}
    array_agg({{ value }} order by {{ order }}) filter (where {{ condition }})
{%- endmacro %}
