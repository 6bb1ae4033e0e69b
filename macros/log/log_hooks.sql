{#- Hooks and settings of the generated prediction logs (predict_<name>_log) and of the runs table.

    log_full_refresh(): the `full_refresh` config of these tables. A log is an audit record that
    cannot be rebuilt (rows are scored once, at their time), so `dbt build --full-refresh` leaves
    it alone (false). To really rebuild one, say so twice:
        dbt build --full-refresh --select predict_churn_log --vars '{skl2sql_rebuild_logs: true}'
    (then the config is none: dbt's flag decides). -#}
{% macro log_full_refresh() -%}
  {{ return(none if var('skl2sql_rebuild_logs', false) else false) }}
{%- endmacro %}


{#- Pre-hook of a log (inside the model's transaction, before its rows are selected):
    - PostgreSQL: `lock table ... in share row exclusive mode`, so a concurrent build of the same
      log waits until this one commits, then its anti-join sees the rows this one wrote (at READ
      COMMITTED each statement reads what is committed when it starts) and appends nothing twice.
      Readers are not blocked.
    - every adapter: label columns that an older skl2sql created with the label's own type are
      turned into text (dbt's alter_column_type), the log's contract for labels. -#}
{% macro log_prepare(labels) -%}
  {%- if not execute -%}{{ return('') }}{%- endif -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
  {%- if existing is none or existing.is_view -%}{{ return('') }}{%- endif -%}
  {%- for column in adapter.get_columns_in_relation(existing) -%}
    {%- if column.name in labels and not column.is_string() -%}
      {%- do alter_column_type(existing, column.name, dbt.type_string()) -%}
    {%- endif -%}
  {%- endfor -%}
  {{ adapter.dispatch('log_lock', 'skl2sql')(existing) }}
{%- endmacro %}

{% macro default__log_lock(relation) -%}
{%- endmacro %}

{% macro postgres__log_lock(relation) -%}
  lock table {{ relation }} in share row exclusive mode
{%- endmacro %}


{#- Post-hook of a log: the warehouse enforces one row per (keys, model_version).
    PostgreSQL: a unique index (created once; a table that already holds duplicates fails here,
    naming them: remove them, see docs/dbt.md). DuckDB needs none: one process writes a database
    file at a time, and a log's anti-join and insert run in one transaction. -#}
{% macro log_unique_key(columns) -%}
  {{ return(adapter.dispatch('log_unique_key', 'skl2sql')(columns)) }}
{%- endmacro %}

{% macro default__log_unique_key(columns) -%}
{%- endmacro %}

{% macro postgres__log_unique_key(columns) -%}
  create unique index if not exists {{ adapter.quote('skl2sql_key_' ~ local_md5(this.schema ~ '.' ~ this.identifier)[:20]) }}
  on {{ this }} ({% for c in columns %}{{ adapter.quote(c) }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}
