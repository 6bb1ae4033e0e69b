{#- The default__ implementation of every generated score macro: the model was not compiled for
    this target's SQL dialect, so stop with a message that says how to fix it, instead of running
    SQL written for another engine. Parsing (execute = false) is left alone so `dbt parse` and
    `dbt ls` still work on any target. -#}
{% macro raise_not_compiled(name, version, compiled_for) -%}
    {%- if execute -%}
        {{ exceptions.raise_compiler_error(
            "skl2sql: model '" ~ name ~ "' version " ~ version ~ " was not compiled for dbt target type '"
            ~ target.type ~ "' (compiled for: " ~ (compiled_for | join(", ")) ~ "). Re-run: skl2sql dbt add ... --name "
            ~ name ~ " --dialects " ~ ((compiled_for + [target.type]) | join(","))) }}
    {%- endif -%}
    {{ return("select 1 as skl2sql_not_compiled") }}
{%- endmacro %}
