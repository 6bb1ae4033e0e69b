{#- One model's input features in long form (batch, feature, kind, x, c) for the rows its log
    scored in the given batches: the log's keys (and batch column, if any) joined back to the
    input. Joining on the log, not reading the whole input, keeps the features of a batch exactly
    the rows that batch scored, also when the input accumulates rows across runs. -#}
{% macro monitor_feature_values(cfg, batches_sql) -%}
  {%- set txt = skl2sql.monitor_text() -%}
  {%- set keys = cfg['keep'] | list -%}
  {%- if cfg.get('batch_column') and cfg['batch_column'] not in keys -%}{%- do keys.append(cfg['batch_column']) -%}{%- endif -%}
  {%- set scored -%}
(
    select i.*, k.{{ adapter.quote('__skl2sql_batch') }}
    from {{ skl2sql.monitor_relation(cfg['input']) }} as i
    join (
        select distinct
            {%- for key in keys %} lg.{{ adapter.quote(key) }},{% endfor %}
            cast(lg.{{ adapter.quote('batch') }} as {{ txt }}) as {{ adapter.quote('__skl2sql_batch') }}
        from {{ ref(cfg['log']) }} as lg
        where cast(lg.{{ adapter.quote('batch') }} as {{ txt }}) in (select batch from ({{ batches_sql }}) as bs)
    ) as k
      on {% for key in keys %}{{ 'and ' if not loop.first }}k.{{ adapter.quote(key) }} = i.{{ adapter.quote(key) }} {% endfor %}
)
  {%- endset -%}
{{ skl2sql.monitor_long_values(scored, adapter.quote('__skl2sql_batch'), cfg['numeric'], cfg['categorical']) }}
{%- endmacro %}
