{#- Alert when a higher-is-better performance metric (roc_auc, accuracy, precision, recall, f1,
    r2) falls below its threshold on skl2sql_monitor_performance. Defaults: roc_auc 0.6,
    accuracy 0.6, precision / recall / f1 0.5, r2 0; any other metric needs a threshold.
    Batches with fewer than min_labelled_rows labels (default 30) are not judged. -#}
{% test performance_above(model, metric='roc_auc', threshold=none, model_name=none, latest_only=true, min_labelled_rows=30) %}
  {%- set defaults = {'roc_auc': 0.6, 'accuracy': 0.6, 'precision': 0.5, 'recall': 0.5, 'f1': 0.5, 'r2': 0} -%}
  {%- set thr = threshold if threshold is not none else defaults.get(metric) -%}
  {%- if thr is none -%}{{ exceptions.raise_compiler_error("skl2sql.performance_above: give a threshold for metric " ~ metric) }}{%- endif -%}
select a.* from ({{ skl2sql.monitor_alert_rows(model, metric, thr, 'above', none, model_name, latest_only) }}) as a
where exists (
    select 1 from {{ model }} as n
    where n.model_name = a.model_name and n.batch = a.batch and n.metric = 'labelled_rows' and n.value >= {{ min_labelled_rows }}
)
{% endtest %}
