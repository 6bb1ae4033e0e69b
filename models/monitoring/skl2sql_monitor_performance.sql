{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['model_name', 'model_version', 'batch'],
    on_schema_change='append_new_columns',
) }}
{{ skl2sql.monitor_performance_sql() }}
