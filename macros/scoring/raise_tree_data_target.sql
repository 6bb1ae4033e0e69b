{#- The error every default__ implementation of the tree-as-data helpers raises: their ordered
    folds and arrays exist on DuckDB and PostgreSQL only, and another target must not get SQL
    that sums in an arbitrary order. -#}
{% macro raise_tree_data_target() -%}
    {{ exceptions.raise_compiler_error("skl2sql: tree models as data run on DuckDB and PostgreSQL targets (target type '" ~ target.type ~ "'); compile the model as SQL for this target instead") }}
{%- endmacro %}
