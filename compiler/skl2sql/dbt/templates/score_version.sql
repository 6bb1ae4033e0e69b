[[ header ]]{#- model [[ name ]], version [[ version ]]: one implementation per compiled dbt target type -#}
{% macro [[ macro ]](relation, batch=true) -%}
    {{ return(adapter.dispatch([[ macro_literal ]])(relation, batch)) }}
{%- endmacro %}

{% macro default__[[ macro ]](relation, batch=true) -%}
    {{ return(skl2sql.raise_not_compiled([[ name_literal ]], [[ version_literal ]], [[ targets_literal ]])) }}
{%- endmacro %}
[% for target, batch_sql, view_sql in compiled %]
{% macro [[ target ]]__[[ macro ]](relation, batch=true) -%}
[% if batch_sql == view_sql %][[ batch_sql ]]
[% else %]{%- if batch -%}
[[ batch_sql ]]
{%- else -%}
[[ view_sql ]]
{%- endif -%}
[% endif %]{%- endmacro %}
[% endfor %]