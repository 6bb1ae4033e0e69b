{#- Alert when out_of_range_share or unseen_category_share (metric) of a feature reaches the
    threshold (default 0.05) on skl2sql_monitor_data_quality. -#}
{% test data_quality_below(model, metric='out_of_range_share', threshold=0.05, feature=none, model_name=none, latest_only=true) %}
{{ skl2sql.monitor_alert_rows(model, metric, threshold, 'below', feature, model_name, latest_only) }}
{% endtest %}
