{#- Alert when a drift metric reaches its threshold (on skl2sql_monitor_feature_drift or
    skl2sql_monitor_prediction_drift). Default thresholds, in the spirit of Evidently's: psi 0.2
    ("significant shift"), jensen_shannon 0.1, wasserstein 0.1 (in training std units), ks 0.1,
    linf 0.2. Severity is ordinary dbt test config: config: {severity: warn}. -#}
{% test drift_below(model, metric='psi', threshold=none, feature=none, model_name=none, latest_only=true) %}
  {%- set defaults = {'psi': 0.2, 'jensen_shannon': 0.1, 'wasserstein': 0.1, 'ks': 0.1, 'linf': 0.2} -%}
  {%- set thr = threshold if threshold is not none else defaults.get(metric) -%}
  {%- if thr is none -%}{{ exceptions.raise_compiler_error("skl2sql.drift_below: give a threshold for metric " ~ metric) }}{%- endif -%}
{{ skl2sql.monitor_alert_rows(model, metric, thr, 'below', feature, model_name, latest_only) }}
{% endtest %}
