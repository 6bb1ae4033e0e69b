[[ header ]]{#- score a relation with model [[ name ]]: the given version, else the pinned or latest one -#}
{% macro score_[[ name ]](relation, version=none, batch=true) -%}
    {%- set v = version or score_[[ name ]]_version() -%}
[% for v, literal in versions %]    {%- [[ "if" if loop.first else "elif" ]] v == [[ literal ]] -%}
        {{ return(score_[[ name ]]__v[[ v ]](relation, batch)) }}
[% endfor %]    {%- else -%}
        {{ exceptions.raise_compiler_error("skl2sql: model [[ name ]] has no version '" ~ v ~ "'; registered versions: [[ version_list ]]") }}
    {%- endif -%}
{%- endmacro %}
