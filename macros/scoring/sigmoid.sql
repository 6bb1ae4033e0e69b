{#- The logistic function in the overflow-free two-branch form the compiler uses (matches
    scipy.special.expit to about 1 ulp); NULL in, NULL out. `z` is a SQL expression. -#}
{% macro sigmoid(z) -%}
    case
        when ({{ z }}) >= 0 then 1 / (1 + {{ skl2sql.safe_exp("0 - (" ~ z ~ ")") }})
        when ({{ z }}) < 0 then {{ skl2sql.safe_exp(z) }} / (1 + {{ skl2sql.safe_exp(z) }})
    end
{%- endmacro %}
