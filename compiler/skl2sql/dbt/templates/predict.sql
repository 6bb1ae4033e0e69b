[[ header ]]{#- every row of the input scored by model [[ name ]]; materialization set in dbt_project.yml -#}
{{ config(pre_hook="{{ skl2sql.scoring_session() }}") }}
[[ depends_on ]]{# a view is laid out for filtered queries, a table for scoring all rows (batch) #}
{{ score_[[ name ]]([[ input ]], batch=(config.get('materialized') != 'view')) }}
