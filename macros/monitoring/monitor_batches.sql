{#- Batches of one model's prediction log: batch (as text), the model version that scored it,
    when it was last scored and how many rows were scored.

    In an incremental run only the batches touched by the latest scoring run are recomputed
    (their max(scored_at) is the log's max(scored_at)); a full refresh recomputes all. -#}
{% macro monitor_batches(cfg, only_latest=true) -%}
  {%- set log = ref(cfg['log']) -%}
  {%- set txt = skl2sql.monitor_text() -%}
select
    cast({{ adapter.quote('batch') }} as {{ txt }}) as batch,
    max(cast({{ adapter.quote('model_version') }} as {{ txt }})) as model_version,
    max(cast({{ adapter.quote('scored_at') }} as timestamp)) as scored_at,
    count(*) as rows_scored
from {{ log }}
group by cast({{ adapter.quote('batch') }} as {{ txt }})
{%- if only_latest %}
having max(cast({{ adapter.quote('scored_at') }} as timestamp))
     = (select max(cast({{ adapter.quote('scored_at') }} as timestamp)) from {{ log }})
{%- endif %}
{%- endmacro %}
