{#- Fails on each combination of `columns` that occurs more than once: the key of predict_* models
    (keep columns) and of scoring logs (keep columns + model_version). Column names are quoted. -#}
{% test unique_combination(model, columns) %}
select
    {%- for c in columns %}
    {{ adapter.quote(c) }},
    {%- endfor %}
    count(*) as skl2sql_rows
from {{ model }}
group by
    {%- for c in columns %}
    {{ adapter.quote(c) }}{{ "," if not loop.last }}
    {%- endfor %}
having count(*) > 1
{% endtest %}
