[[ header ]]{#- model [[ name ]], version [[ version ]]: parameters in seed [[ seed ]], scored by the package's generic macro -#}
{% macro [[ macro ]](relation, batch=true) -%}
    {{ return(skl2sql.[[ generic ]]([[ args ]])) }}
{%- endmacro %}
