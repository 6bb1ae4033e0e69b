{#- The body of a generated predict_<name>_log model: the input rows not yet scored by `version`,
    scored, with the log's own columns. One row per (keys, model_version), written once.

    Columns, the log's contract: the key columns as the input holds them; every label output
    (`labels`: a classifier's `prediction`) as text, so a retrained model whose labels change type
    (integers to strings) is logged beside the old one; every other output (`numbers`) as a
    double; then model_version, batch (the batch column's value as text, or the dbt invocation
    id), scored_at, and input_hash (skl2sql.input_hash of the features the row was scored with,
    which the test skl2sql.log_inputs_unchanged compares with the input as it is now). Only the
    active version's outputs are selected: an older version's columns are NULL in these rows.

    Refuses (a dbt error naming the model, before anything is written) input rows with a NULL
    key: the anti-join cannot match them, so they would be appended again on every run.
    `score`: the model's generated score_<name> macro. -#}
{% macro prediction_log(name, version, input, keys, batch_column, features, labels, numbers, score) -%}
  {%- set q = adapter.quote -%}
  {%- if execute -%}
    {{- skl2sql.log_refuse_null_keys(name, input, keys) -}}
  {%- endif -%}
  {%- set txt = dbt.type_string() -%}
  {%- set dbl = skl2sql.type_double() -%}
with skl2sql_new_rows as (
    select * from {{ input }} as skl2sql_input
    {%- if is_incremental() %}
    where not exists (
        select 1 from {{ this }} as skl2sql_log
        where skl2sql_log.{{ q('model_version') }} = {{ skl2sql.sql_literal(version) }}
        {%- for k in keys %}
          and skl2sql_log.{{ q(k) }} = skl2sql_input.{{ q(k) }}
        {%- endfor %}
    )
    {%- endif %}
),
skl2sql_inputs as (
    select
        {%- for k in keys %}
        {{ q(k) }},
        {%- endfor %}
        {%- if batch_column %}
        cast({{ q(batch_column) }} as {{ txt }}) as skl2sql_batch,
        {%- endif %}
        {{ skl2sql.input_hash(features) }} as skl2sql_input_hash
    from skl2sql_new_rows
)
select
    {%- for k in keys %}
    skl2sql_scored.{{ q(k) }},
    {%- endfor %}
    {%- for o in labels %}
    cast(skl2sql_scored.{{ q(o) }} as {{ txt }}) as {{ q(o) }},
    {%- endfor %}
    {%- for o in numbers %}
    cast(skl2sql_scored.{{ q(o) }} as {{ dbl }}) as {{ q(o) }},
    {%- endfor %}
    cast({{ skl2sql.sql_literal(version) }} as {{ txt }}) as {{ q('model_version') }},
    {%- if batch_column %}
    skl2sql_inputs.skl2sql_batch as {{ q('batch') }},
    {%- else %}
    cast({{ skl2sql.sql_literal(invocation_id) }} as {{ txt }}) as {{ q('batch') }},
    {%- endif %}
    {{ dbt.current_timestamp() }} as {{ q('scored_at') }},
    skl2sql_inputs.skl2sql_input_hash as {{ q('input_hash') }}
from (
{{ score("skl2sql_new_rows", version) }}
) as skl2sql_scored
join skl2sql_inputs
  on {% for k in keys %}{{ 'and ' if not loop.first }}skl2sql_inputs.{{ q(k) }} = skl2sql_scored.{{ q(k) }} {% endfor %}
{%- endmacro %}


{#- Stops the run of model `name`'s log when the input holds rows with a NULL key column: they
    cannot be matched against the log, so every run would append them again. -#}
{% macro log_refuse_null_keys(name, input, keys) -%}
  {%- set q = adapter.quote -%}
  {%- set check -%}
select count(*) from {{ input }} where {% for k in keys %}{{ ' or ' if not loop.first }}{{ q(k) }} is null{% endfor %}
  {%- endset -%}
  {%- set found = run_query(check).columns[0].values()[0] -%}
  {%- if found and found > 0 -%}
    {{ exceptions.raise_compiler_error("skl2sql: predict_" ~ name ~ "_log: " ~ found ~ " row(s) of " ~ input
       ~ " have a NULL key (" ~ keys | join(", ") ~ "); the log is keyed by these columns, so nothing was "
       ~ "written. Fix or filter those rows in the input.") }}
  {%- endif -%}
{%- endmacro %}


{#- A hash of a row's feature values, as text: md5 over each value cast to text, separated by a
    unit separator, NULL written as a record separator (so NULL and '' differ). Compared only
    within one warehouse (the log and the test run on the same target). -#}
{% macro input_hash(features, alias=none) -%}
  {%- set txt = dbt.type_string() -%}
  {%- set parts = [] -%}
  {%- for f in features -%}
    {%- set c = (alias ~ '.' if alias else '') ~ adapter.quote(f) -%}
    {%- do parts.append("coalesce(cast(" ~ c ~ " as " ~ txt ~ "), " ~ skl2sql.sql_literal('\x1e') ~ ")") -%}
    {%- if not loop.last -%}{%- do parts.append(skl2sql.sql_literal('\x1f')) -%}{%- endif -%}
  {%- endfor -%}
  {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
