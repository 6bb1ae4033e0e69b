{#- The input features of a row as one array, and its element at a 1-based index: the tree walk
    of score_trees_from_nodes carries one array instead of a column per feature and reads the
    split's feature by position (a CASE over every feature per level was the walk's main cost).
    DuckDB lists and PostgreSQL arrays; other adapters stop with an error (tree models as data
    run on DuckDB and PostgreSQL). -#}
{% macro tree_feature_array(items) -%}
    {{ return(adapter.dispatch('tree_feature_array', 'skl2sql')(items)) }}
{%- endmacro %}

{% macro default__tree_feature_array(items) -%}
    {{ skl2sql.raise_tree_data_target() }}
{%- endmacro %}

{% macro duckdb__tree_feature_array(items) -%}
    list_value({{ items | join(", ") }})
{%- endmacro %}

{% macro postgres__tree_feature_array(items) -%}
    array[{{ items | join(", ") }}]::{{ skl2sql.type_double() }}[]
{%- endmacro %}

{% macro tree_feature_item(array, index) -%}
    {{ return(adapter.dispatch('tree_feature_item', 'skl2sql')(array, index)) }}
{%- endmacro %}

{% macro default__tree_feature_item(array, index) -%}
    {{ skl2sql.raise_tree_data_target() }}
{%- endmacro %}

{% macro duckdb__tree_feature_item(array, index) -%}
    list_extract({{ array }}, {{ index }})
{%- endmacro %}

{% macro postgres__tree_feature_item(array, index) -%}
    ({{ array }})[{{ index }}]
{%- endmacro %}
