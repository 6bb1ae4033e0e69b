{#- Alert when a lower-is-better performance metric (log_loss, brier, mae, rmse) reaches its
    threshold on skl2sql_monitor_performance. Defaults: log_loss 0.693 (a coin flip on balanced
    classes), brier 0.25 (the same); mae and rmse are in label units and need a threshold.
    Batches with fewer than min_labelled_rows labels (default 30) are not judged. -#}
{% test performance_below(model, metric='log_loss', threshold=none, model_name=none, latest_only=true, min_labelled_rows=30) %}
  {%- set defaults = {'log_loss': 0.693, 'brier': 0.25} -%}
  {%- set thr = threshold if threshold is not none else defaults.get(metric) -%}
  {%- if thr is none -%}{{ exceptions.raise_compiler_error("skl2sql.performance_below: give a threshold for metric " ~ metric) }}{%- endif -%}
select a.* from ({{ skl2sql.monitor_alert_rows(model, metric, thr, 'below', none, model_name, latest_only) }}) as a
where exists (
    select 1 from {{ model }} as n
    where n.model_name = a.model_name and n.batch = a.batch and n.metric = 'labelled_rows' and n.value >= {{ min_labelled_rows }}
)
{% endtest %}
