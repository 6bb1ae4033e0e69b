{#- CASE giving classes[k] for the first largest of the columns <prefix>_0 .. <prefix>_{n-1}
    (numpy.argmax's tie rule: an earlier class wins a tie). NULL when any of them is NULL. -#}
{% macro argmax_label(prefix, n, classes) -%}
    {%- if n == 1 -%}
    case when {{ prefix }}_0 is not null then {{ skl2sql.sql_literal(classes[0]) }} end
    {%- else -%}
    case
    {%- for k in range(n) %}
        when {% for j in range(n) if j != k %}{{ prefix }}_{{ k }} {{ ">" if j < k else ">=" }} {{ prefix }}_{{ j }}{{ " and " if not loop.last }}{% endfor %} then {{ skl2sql.sql_literal(classes[k]) }}
    {%- endfor %}
    end
    {%- endif -%}
{%- endmacro %}
