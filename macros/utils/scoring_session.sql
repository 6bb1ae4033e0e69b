{#- SQL run before a scoring model (its pre-hook): settings that make compiled models fast.
    PostgreSQL: `set local jit = off` for the model's transaction. PostgreSQL's JIT compiles a
    large CASE forest with LLVM before running it, which took 90 of the 102 seconds of a
    100-tree forest over 100,000 rows (PostgreSQL 15 defaults). Elsewhere nothing (dbt skips an
    empty hook). -#}
{% macro scoring_session() -%}
    {{ return(adapter.dispatch('scoring_session', 'skl2sql')()) }}
{%- endmacro %}

{% macro default__scoring_session() -%}
{%- endmacro %}

{% macro postgres__scoring_session() -%}
    set local jit = off
{%- endmacro %}
