{#- The rows of a monitoring table that break a threshold: shared by the alert tests.
    direction 'below' fails rows with value >= threshold, 'above' rows with value < threshold.
    latest_only (default true): only each model's most recently scored batch, so an old incident
    does not keep failing forever; model_name / feature narrow the check. -#}
{% macro monitor_alert_rows(model, metric, threshold, direction, feature=none, model_name=none, latest_only=true) -%}
select t.model_name, t.model_version, t.batch, t.feature, t.metric, t.value,
       {{ threshold }} as threshold
from {{ model }} as t
where t.metric = {{ skl2sql.monitor_literal(metric) }}
  and t.value {{ '>=' if direction == 'below' else '<' }} {{ threshold }}
  {%- if feature is not none %}
  and t.feature = {{ skl2sql.monitor_literal(feature) }}
  {%- endif %}
  {%- if model_name is not none %}
  and t.model_name = {{ skl2sql.monitor_literal(model_name) }}
  {%- endif %}
  {%- if latest_only %}
  and t.scored_at = (select max(l.scored_at) from {{ model }} as l where l.model_name = t.model_name)
  {%- endif %}
{%- endmacro %}
