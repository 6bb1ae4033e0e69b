{#- Fails on rows whose class probabilities do not add up to 1 within `tolerance` (rows with any
    NULL probability are skipped). `columns`: the probability_<class> columns of one model. -#}
{% test probabilities_sum_to_one(model, columns, tolerance=1e-9) %}
select *
from {{ model }}
where
    {%- for c in columns %}
    {{ adapter.quote(c) }} is not null and
    {%- endfor %}
    abs(({% for c in columns %}{{ adapter.quote(c) }}{{ " + " if not loop.last }}{% endfor %}) - 1) > {{ tolerance }}
{% endtest %}
