[[ header ]]{#- the version of model [[ name ]] that predict_[[ name ]] uses: vars: {skl2sql_versions: {[[ name ]]: ...}} pins one -#}
{% macro score_[[ name ]]_version() -%}
    {{ return(var("skl2sql_versions", {}).get([[ name_literal ]], [[ default_literal ]])) }}
{%- endmacro %}
