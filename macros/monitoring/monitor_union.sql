{#- The rows of every monitored model, with the time they were computed; an empty, typed result
    when no model is monitored yet (so the table exists and the tests have something to read). -#}
{% macro monitor_union(blocks) -%}
  {%- set dbl = skl2sql.monitor_double() -%}
  {%- set txt = skl2sql.monitor_text() -%}
  {%- if blocks | length == 0 -%}
select
    cast(null as {{ txt }}) as model_name,
    cast(null as {{ txt }}) as model_version,
    cast(null as {{ txt }}) as batch,
    cast(null as {{ txt }}) as feature,
    cast(null as {{ txt }}) as metric,
    cast(null as {{ dbl }}) as value,
    cast(null as timestamp) as scored_at,
    cast(null as timestamp) as computed_at
where 1 = 0
  {%- else -%}
    {%- for block in blocks %}
select u.*, cast({{ dbt.current_timestamp() }} as timestamp) as computed_at
from (
{{ block }}
) as u
{% if not loop.last %}union all{% endif %}
    {%- endfor -%}
  {%- endif -%}
{%- endmacro %}
