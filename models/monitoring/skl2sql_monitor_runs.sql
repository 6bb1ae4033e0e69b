{#- Technical metrics of each dbt run, written by the on-run-end hook skl2sql.monitor_runs_hook;
    this model only creates the (initially empty) table and never rewrites it, not even under
    --full-refresh (a history of runs cannot be recomputed; skl2sql.log_full_refresh). -#}
{{ config(materialized='incremental', on_schema_change='append_new_columns', full_refresh=skl2sql.log_full_refresh()) }}
select
    cast(null as {{ skl2sql.monitor_text() }}) as model_name,
    cast(null as {{ skl2sql.monitor_text() }}) as model_version,
    cast(null as {{ skl2sql.monitor_text() }}) as batch,
    cast(null as {{ skl2sql.monitor_text() }}) as feature,
    cast(null as {{ skl2sql.monitor_text() }}) as metric,
    cast(null as {{ skl2sql.monitor_double() }}) as value,
    cast(null as {{ skl2sql.monitor_text() }}) as node_name,
    cast(null as {{ skl2sql.monitor_text() }}) as status,
    cast(null as timestamp) as run_started_at
where 1 = 0
