{#- Data quality of one model's input per batch and model version: rows scored (from the log, feature NULL) and per
    feature the null share, for numeric features the share of rows outside the training
    [min, max], for categorical ones the share of rows with a category never seen in training
    (shares over all rows of the batch, NULLs counting as neither out of range nor unseen). -#}
{% macro monitor_data_quality_block(cfg, batches_sql) -%}
  {%- set dbl = skl2sql.monitor_double() -%}
  {%- set txt = skl2sql.monitor_text() -%}
with
batches as (
{{ batches_sql }}
),
vals as (
    select v.batch, v.model_version, v.feature, v.kind, v.x, v.c
    from ({{ skl2sql.monitor_feature_values(cfg, batches_sql) }}) as v
    join batches as b on b.batch = v.batch and b.model_version = v.model_version
),
base as (
    select cast(model_version as {{ txt }}) as model_version, cast(feature as {{ txt }}) as feature,
           cast(stat as {{ txt }}) as stat, cast(category as {{ txt }}) as category, cast(value as {{ dbl }}) as value
    from {{ ref(cfg['baseline']) }}
    where role = 'feature' and model_name = {{ skl2sql.monitor_literal(cfg['name']) }}
),
ranges as (
    select model_version, feature,
           max(case when stat = 'min' then value end) as lo,
           max(case when stat = 'max' then value end) as hi
    from base
    group by model_version, feature
),
cats as (
    select distinct model_version, feature, category from base where stat = 'category'
),
per_feature as (
    select v.batch, v.model_version, v.feature,
           avg(case when (v.kind = 'numeric' and v.x is null) or (v.kind = 'categorical' and v.c is null)
                    then 1.0 else 0.0 end) as null_share,
           avg(case when v.kind = 'numeric' and (v.x < r.lo or v.x > r.hi) then 1.0 else 0.0 end) as oor,
           avg(case when v.kind = 'categorical' and v.c is not null and k.category is null then 1.0 else 0.0 end) as unseen,
           max(v.kind) as kind
    from vals as v
    left join ranges as r on r.model_version = v.model_version and r.feature = v.feature
    left join cats as k on k.model_version = v.model_version and k.feature = v.feature and k.category = v.c
    group by v.batch, v.model_version, v.feature
),
metrics as (
    select batch, model_version, cast(null as {{ txt }}) as feature, 'rows_scored' as metric,
           cast(rows_scored as {{ dbl }}) as value
    from batches
    union all select batch, model_version, feature, 'null_share', null_share from per_feature
    union all select batch, model_version, feature, 'out_of_range_share', oor from per_feature where kind = 'numeric'
    union all select batch, model_version, feature, 'unseen_category_share', unseen from per_feature where kind = 'categorical'
)
{{ skl2sql.monitor_metric_rows(cfg) }}
{%- endmacro %}
