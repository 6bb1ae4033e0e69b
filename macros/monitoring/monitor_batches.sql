{#- Batches of one model's prediction log, per model version: batch (as text), model_version,
    when that version last scored rows of the batch, and how many rows it scored.

    incremental: only the (batch, version) pairs that have log rows newer than this monitoring
    table's last computation of them (none yet, or an older scored_at): a batch scored by a run
    that stopped before monitoring (a kill, a failed test) is computed by the next run, however
    many batches came in between. Otherwise (first build, --full-refresh, or a block that
    computes every batch itself) every pair. -#}
{% macro monitor_batches(cfg, incremental=false) -%}
  {%- set log = ref(cfg['log']) -%}
  {%- set txt = skl2sql.monitor_text() -%}
  {%- set q = adapter.quote -%}
select lb.batch, lb.model_version, lb.scored_at, lb.rows_scored
from (
    select cast({{ q('batch') }} as {{ txt }}) as batch,
           cast({{ q('model_version') }} as {{ txt }}) as model_version,
           max(cast({{ q('scored_at') }} as timestamp)) as scored_at,
           count(*) as rows_scored
    from {{ log }}
    group by cast({{ q('batch') }} as {{ txt }}), cast({{ q('model_version') }} as {{ txt }})
) as lb
{%- if incremental %}
where not exists (
    select 1 from {{ this }} as done
    where done.model_name = {{ skl2sql.monitor_literal(cfg['name']) }}
      and done.batch = lb.batch
      and done.model_version = lb.model_version
      and done.scored_at >= lb.scored_at
)
{%- endif %}
{%- endmacro %}
