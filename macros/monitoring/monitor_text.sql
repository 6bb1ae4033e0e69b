{#- The text type of batch, feature and metric columns (batch values of any type are compared
    as text, so models with different batch column types share one table). -#}
{% macro monitor_text() %}{{ return(adapter.dispatch('monitor_text', 'skl2sql')()) }}{% endmacro %}
{% macro default__monitor_text() %}{{ return('varchar') }}{% endmacro %}
