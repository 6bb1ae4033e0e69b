{#- Fails on rows whose value is outside [0, 1] (NULL passes: a row with missing inputs has no
    probability). Shipped for predict_* columns; monitoring models can reuse it. -#}
{% test probability_between_0_and_1(model, column_name) %}
select {{ column_name }} as skl2sql_value
from {{ model }}
where {{ column_name }} < 0 or {{ column_name }} > 1
{% endtest %}
