{#- Common table expressions computing softmax of the columns <z>_0 .. <z>_{n-1} of `source`:
    skl2sql_m (the row's largest score, first one on ties), skl2sql_e (exp(z_k - max) as
    skl2sql_e_k) and skl2sql_s (adds skl2sql_den, the sum of the skl2sql_e_k), so probability k
    is skl2sql_e_k / skl2sql_den, as scipy.special.softmax computes it. Emits the CTE bodies
    only: the caller writes `with ...,` before and the final select after. -#}
{% macro softmax_ctes(source, z, n) -%}
skl2sql_m as (
    select
        {{ source }}.*,
        case
        {%- for k in range(n) %}
            when {% for j in range(n) if j != k %}{{ z }}_{{ k }} >= {{ z }}_{{ j }}{{ " and " if not loop.last }}{% endfor %} then {{ z }}_{{ k }}
        {%- endfor %}
        end as skl2sql_max
    from {{ source }}
),
skl2sql_e as (
    select
        skl2sql_m.*
        {%- for k in range(n) %},
        {{ skl2sql.safe_exp(z ~ "_" ~ k ~ " - skl2sql_max") }} as skl2sql_e_{{ k }}
        {%- endfor %}
    from skl2sql_m
),
skl2sql_s as (
    select skl2sql_e.*, {% for k in range(n) %}skl2sql_e_{{ k }}{{ " + " if not loop.last }}{% endfor %} as skl2sql_den
    from skl2sql_e
)
{%- endmacro %}
