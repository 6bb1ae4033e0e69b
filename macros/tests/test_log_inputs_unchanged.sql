{#- Rows of a prediction log whose key now holds other feature values in the input than when
    the row was scored (the log keeps the old score: it is what was said at the time). Compares
    the log's input_hash with skl2sql.input_hash of the input row; rows logged before input_hash
    existed (NULL) are not compared. Generated with severity warn: a changed input is news, not
    a broken log. To score the new values, add a new model version or key the input by time. -#}
{% test log_inputs_unchanged(model, input, keys, features) %}
select
    {%- for k in keys %}
    skl2sql_log.{{ adapter.quote(k) }},
    {%- endfor %}
    skl2sql_log.{{ adapter.quote('model_version') }}
from {{ model }} as skl2sql_log
join {{ input }} as skl2sql_input
  on {% for k in keys %}{{ 'and ' if not loop.first }}skl2sql_input.{{ adapter.quote(k) }} = skl2sql_log.{{ adapter.quote(k) }} {% endfor %}
where skl2sql_log.{{ adapter.quote('input_hash') }} is not null
  and skl2sql_log.{{ adapter.quote('input_hash') }} <> {{ skl2sql.input_hash(features, 'skl2sql_input') }}
{% endtest %}
