{#- on-run-end hook: one row per metric per skl2sql model node (predict_<name>, predict_<name>_log)
    that ran, into skl2sql_monitor_runs. Add to the project's dbt_project.yml:

        on-run-end:
          - "{{ skl2sql.monitor_runs_hook(results) }}"

    Metrics: seconds (execution time), rows_written (the adapter's rows affected; when it does not
    say, as DuckDB, the log rows scored since the run started, NULL for predict views) and
    succeeded (1/0); status holds dbt's status text. batch is the dbt invocation id:
    a run is the unit here, whatever the scoring batch column. Does nothing when the runs table
    has not been built yet or no skl2sql model ran. -#}
{% macro monitor_runs_hook(results) -%}
  {%- if not execute -%}{{ return('') }}{%- endif -%}
  {%- set runs_nodes = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
                       | selectattr('name', 'equalto', 'skl2sql_monitor_runs') | list -%}
  {%- if runs_nodes | length == 0 -%}{{ return('') }}{%- endif -%}
  {%- set rn = runs_nodes[0] -%}
  {%- set rel = adapter.get_relation(database=rn.database, schema=rn.schema, identifier=rn.alias) -%}
  {%- if rel is none -%}{{ return('') }}{%- endif -%}
  {%- set dbl = skl2sql.monitor_double() -%}
  {%- set txt = skl2sql.monitor_text() -%}
  {%- set rows = [] -%}
  {%- for res in results -%}
    {%- set node = res.node -%}
    {%- set parts = (node.path or '').replace('\\', '/').split('/') -%}
    {%- if node.resource_type == 'model' and node.name.startswith('predict_') and parts | length >= 3 and parts[0] == 'skl2sql' -%}
      {%- set name = parts[1] -%}
      {%- set version_macro = context.get('score_' ~ name ~ '_version') -%}
      {%- set version = version_macro() if version_macro is not none else none -%}
      {%- set resp = res.adapter_response or {} -%}
      {%- set status = res.status | string -%}
      {%- set affected = resp.get('rows_affected') -%}
      {%- set affected = affected if affected is not none and affected is number and affected >= 0 else none -%}
      {%- if affected is none and node.name.endswith('_log') and node.relation_name and status == 'success' -%}
        {#- adapters that report no row count (DuckDB): the log rows scored since this run started -#}
        {%- set affected = '(select count(*) from ' ~ node.relation_name ~ ' where ' ~ adapter.quote('scored_at')
            ~ ' >= cast(' ~ skl2sql.monitor_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f+00:00'))
            ~ ' as timestamp with time zone))' -%}
      {%- endif -%}
      {%- set ok = 1 if status in ('success', 'pass') else 0 -%}
      {%- for metric, value in [('seconds', res.execution_time), ('rows_written', affected), ('succeeded', ok)] -%}
        {%- do rows.append('(' ~ skl2sql.monitor_literal(name) ~ ', ' ~ skl2sql.monitor_literal(version) ~ ', '
            ~ skl2sql.monitor_literal(invocation_id) ~ ', cast(null as ' ~ txt ~ '), ' ~ skl2sql.monitor_literal(metric) ~ ', '
            ~ ('cast(null as ' ~ dbl ~ ')' if value is none else 'cast(' ~ value ~ ' as ' ~ dbl ~ ')') ~ ', '
            ~ skl2sql.monitor_literal(node.name) ~ ', ' ~ skl2sql.monitor_literal(status) ~ ', '
            ~ 'cast(' ~ skl2sql.monitor_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S')) ~ ' as timestamp))') -%}
      {%- endfor -%}
    {%- endif -%}
  {%- endfor -%}
  {%- if rows | length == 0 -%}{{ return('') }}{%- endif -%}
insert into {{ rel }} (model_name, model_version, batch, feature, metric, value, node_name, status, run_started_at)
values
{{ rows | join(',\n') }}
{%- endmacro %}
