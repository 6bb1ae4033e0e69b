{#- Unpivot columns of a relation into (batch, model_version, feature, kind, x, c) with one scan:
    the relation is crossed with a VALUES list of the column names and a CASE picks each row's
    value. Numeric columns become doubles in x (a stored NaN is NULL, a missing value, as the
    model reads it: skl2sql.input_number), categorical ones text in c. -#}
{% macro monitor_long_values(relation, batch_sql, numeric, categorical, version_sql) -%}
  {%- set dbl = skl2sql.monitor_double() -%}
  {%- set txt = skl2sql.monitor_text() -%}
select
    cast(s.{{ batch_sql }} as {{ txt }}) as batch,
    cast(s.{{ version_sql }} as {{ txt }}) as model_version,
    f.feature,
    f.kind,
    {% if numeric -%}
    case f.feature
      {%- for col in numeric %} when {{ skl2sql.monitor_literal(col) }} then {{ skl2sql.input_number("s." ~ adapter.quote(col)) }}{% endfor %}
    end
    {%- else -%}cast(null as {{ dbl }}){%- endif %} as x,
    {% if categorical -%}
    case f.feature
      {%- for col in categorical %} when {{ skl2sql.monitor_literal(col) }} then cast(s.{{ adapter.quote(col) }} as {{ txt }}){% endfor %}
    end
    {%- else -%}cast(null as {{ txt }}){%- endif %} as c
from {{ relation }} as s
cross join (
  values
  {%- for col in numeric %} ({{ skl2sql.monitor_literal(col) }}, 'numeric'){{ ',' if not loop.last or categorical }}{% endfor %}
  {%- for col in categorical %} ({{ skl2sql.monitor_literal(col) }}, 'categorical'){{ ',' if not loop.last }}{% endfor %}
) as f (feature, kind)
{%- endmacro %}
