{#- The number of trees and the depth of the deepest one for `model_version` in the tree-nodes
    table `nodes`, read at run time (so a retrained model with more or deeper trees is only new
    rows). Stops with a clear error when the version has no rows or splits on a column that is
    not one of `features`. At parse time (execute is false) returns placeholders. -#}
{% macro tree_nodes_shape(nodes, model_version, features) -%}
    {%- if not execute -%}
        {{ return({"n_trees": 1, "depth": 0}) }}
    {%- endif -%}
    {%- set v = skl2sql.sql_literal(model_version) -%}
    {%- set shape_sql -%}
        select count(distinct {{ adapter.quote("tree") }}), max({{ adapter.quote("depth") }})
        from {{ nodes }}
        where {{ adapter.quote("model_version") }} = {{ v }} and {{ adapter.quote("tree") }} >= 0
    {%- endset -%}
    {%- set row = run_query(shape_sql).rows[0] -%}
    {%- if row[0] is none or row[0] == 0 -%}
        {{ exceptions.raise_compiler_error("skl2sql: " ~ nodes ~ " has no trees for model_version '" ~ model_version ~ "' (load the seed first: dbt seed)") }}
    {%- endif -%}
    {%- set features_sql -%}
        select distinct {{ adapter.quote("feature") }}
        from {{ nodes }}
        where {{ adapter.quote("model_version") }} = {{ v }} and {{ adapter.quote("feature") }} is not null
    {%- endset -%}
    {%- for r in run_query(features_sql).rows -%}
        {%- if r[0] not in features -%}
            {{ exceptions.raise_compiler_error("skl2sql: model_version '" ~ model_version ~ "' in " ~ nodes ~ " splits on column '" ~ r[0] ~ "', which is not one of the model's features " ~ (features | join(", "))) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return({"n_trees": row[0] | int, "depth": row[1] | int}) }}
{%- endmacro %}
