{#- One model's outputs in long form (batch, model_version, feature, kind, x, c), read from its
    prediction log: probabilities / regression values as numeric, the predicted label as
    categorical. -#}
{% macro monitor_prediction_values(cfg) -%}
{{ skl2sql.monitor_long_values(ref(cfg['log']), adapter.quote('batch'), cfg['prediction_numeric'], cfg['prediction_categorical'], adapter.quote('model_version')) }}
{%- endmacro %}
