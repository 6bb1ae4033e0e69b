{#- Alert when a feature's share of NULLs in a batch reaches the threshold (default 0.1) on
    skl2sql_monitor_data_quality. -#}
{% test null_share_below(model, threshold=0.1, feature=none, model_name=none, latest_only=true) %}
{{ skl2sql.monitor_alert_rows(model, 'null_share', threshold, 'below', feature, model_name, latest_only) }}
{% endtest %}
