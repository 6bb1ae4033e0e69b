{#- One model's input features in long form (batch, model_version, feature, kind, x, c) for the
    rows its log scored in the given (batch, model_version) pairs: the log's keys joined back to
    the input (and, with a batch column that is not a key, the input's batch value as text to the
    log's batch). Joining on the log, not reading the whole input, keeps the features of a batch
    exactly the rows that batch scored, also when the input accumulates rows across runs. -#}
{% macro monitor_feature_values(cfg, batches_sql) -%}
  {%- set txt = skl2sql.monitor_text() -%}
  {%- set q = adapter.quote -%}
  {%- set keys = cfg['keep'] | list -%}
  {%- set batch_column = cfg.get('batch_column') -%}
  {%- set scored -%}
(
    select i.*, k.{{ q('__skl2sql_batch') }}, k.{{ q('__skl2sql_version') }}
    from {{ skl2sql.monitor_relation(cfg['input']) }} as i
    join (
        select distinct
            {%- for key in keys %} lg.{{ q(key) }},{% endfor %}
            cast(lg.{{ q('batch') }} as {{ txt }}) as {{ q('__skl2sql_batch') }},
            cast(lg.{{ q('model_version') }} as {{ txt }}) as {{ q('__skl2sql_version') }}
        from {{ ref(cfg['log']) }} as lg
        join ({{ batches_sql }}) as bs
          on bs.batch = cast(lg.{{ q('batch') }} as {{ txt }})
         and bs.model_version = cast(lg.{{ q('model_version') }} as {{ txt }})
    ) as k
      on {% for key in keys %}{{ 'and ' if not loop.first }}k.{{ q(key) }} = i.{{ q(key) }} {% endfor %}
      {%- if batch_column and batch_column not in keys %}
     and cast(i.{{ q(batch_column) }} as {{ txt }}) = k.{{ q('__skl2sql_batch') }}
      {%- endif %}
)
  {%- endset -%}
{{ skl2sql.monitor_long_values(scored, q('__skl2sql_batch'), cfg['numeric'], cfg['categorical'], q('__skl2sql_version')) }}
{%- endmacro %}
