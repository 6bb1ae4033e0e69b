{#- Performance of one model per batch and model version, once labels arrive: the log joined with the labels
    relation on the key; rows whose label or prediction is NULL are left out.

    Only (batch, version) pairs whose count of labelled rows changed since the last run are recomputed (labels
    arrive late and in pieces); labelled_rows is stored as a metric for that comparison.

    binary:     roc_auc (Mann-Whitney with average ranks for tied scores, as sklearn), log_loss
                (probability of the true class clipped to [eps, 1 - eps], eps = 2.220446049250313e-16,
                as sklearn), brier (mean (y - p)^2, p = probability of the positive class), accuracy, precision, recall, f1 (positive class =
                classes_[1], the model's own predicted label; 0 when undefined, as sklearn's
                zero_division default)
    multiclass: accuracy, log_loss, brier (sum over classes, not halved, as sklearn for >2 classes)
    regression: mae, rmse, r2 (1 - SSE/SST; 1 or 0 when SST = 0, as sklearn's force_finite). -#}
{% macro monitor_performance_block(cfg) -%}
  {%- set dbl = skl2sql.monitor_double() -%}
  {%- set txt = skl2sql.monitor_text() -%}
  {%- set lab = cfg['labels'] -%}
  {%- set label_col = lab.get('label_column') or lab.get('column') or cfg.get('label_column') -%}
  {%- set keys = lab.get('key') or cfg['keep'] -%}
  {%- set probs = cfg.get('probability_columns') or {} -%}
  {%- set task = cfg['task'] -%}
  {%- set eps = 'cast(2.220446049250313e-16 as ' ~ dbl ~ ')' -%}
  {%- set q = adapter.quote -%}
with
batches as (
{{ skl2sql.monitor_batches(cfg, false) }}
),
labels as (
    select {% for k in keys %}lb.{{ q(k) }}, {% endfor %}
           cast(lb.{{ q(label_col) }} as {{ txt }}) as y_text
           {%- if task == 'regression' %}, cast(lb.{{ q(label_col) }} as {{ dbl }}) as y_num{% endif %}
    from {{ skl2sql.monitor_relation(lab['relation']) }} as lb
    where lb.{{ q(label_col) }} is not null
),
joined as (
    select cast(lg.{{ q('batch') }} as {{ txt }}) as batch,
           cast(lg.{{ q('model_version') }} as {{ txt }}) as model_version,
           cast(lg.{{ q('prediction') }} as {{ txt }}) as pred_text,
           {%- if task == 'regression' %}
           cast(lg.{{ q('prediction') }} as {{ dbl }}) as pred_num,
           labels.y_num,
           {%- endif %}
           {%- for col in probs %}
           cast(lg.{{ q(col) }} as {{ dbl }}) as {{ q(col) }},
           {%- endfor %}
           labels.y_text
    from {{ ref(cfg['log']) }} as lg
    join labels on {% for k in keys %}{{ 'and ' if not loop.first }}labels.{{ q(k) }} = lg.{{ q(k) }} {% endfor %}
    where lg.{{ q('prediction') }} is not null
      {%- for col in probs %} and lg.{{ q(col) }} is not null{% endfor %}
),
counts as (
    select batch, model_version, count(*) as n from joined group by batch, model_version
),
todo as (
    select c.batch, c.model_version, c.n from counts as c
    {%- if is_incremental() %}
    where not exists (
        select 1 from {{ this }} as t
        where t.model_name = {{ skl2sql.monitor_literal(cfg['name']) }}
          and t.batch = c.batch and t.model_version = c.model_version
          and t.metric = 'labelled_rows' and t.value = c.n
    )
    {%- endif %}
),
j as (
    select joined.* from joined join todo on todo.batch = joined.batch and todo.model_version = joined.model_version
),
{%- if task in ('binary', 'multiclass') and probs %}
scored as (
    select batch, model_version, y_text, pred_text,
           case y_text
             {%- for col, label in probs.items() %} when {{ skl2sql.monitor_literal(label) }} then {{ q(col) }}{% endfor %}
           end as p_true,
           ({% for col, label in probs.items() %}{{ ' + ' if not loop.first }}({{ q(col) }} - case when y_text = {{ skl2sql.monitor_literal(label) }} then 1 else 0 end) * ({{ q(col) }} - case when y_text = {{ skl2sql.monitor_literal(label) }} then 1 else 0 end){% endfor %}) as sq_err
           {%- if task == 'binary' %}
             {%- set pos_col = (probs | list)[-1] %},
           {{ q(pos_col) }} as s,
           cast(case when y_text = {{ skl2sql.monitor_literal(cfg['positive_class']) }} then 1 else 0 end as {{ dbl }}) as y,
           cast(case when pred_text = {{ skl2sql.monitor_literal(cfg['positive_class']) }} then 1 else 0 end as {{ dbl }}) as yhat
           {%- endif %}
    from j
),
agg as (
    select batch, model_version,
           avg(case when pred_text = y_text then cast(1 as {{ dbl }}) else cast(0 as {{ dbl }}) end) as accuracy,
           avg(-ln(least(greatest(p_true, {{ eps }}), cast(1 as {{ dbl }}) - {{ eps }}))) as log_loss,
           {%- if task == 'binary' %}
           avg((y - s) * (y - s)) as brier,
           sum(y * yhat) as tp,
           sum((1 - y) * yhat) as fp,
           sum(y * (1 - yhat)) as fn
           {%- else %}
           avg(sq_err) as brier
           {%- endif %}
    from scored
    group by batch, model_version
),
{%- if task == 'binary' %}
auc_groups as (
    select batch, model_version, s, sum(y) as pos, sum(1 - y) as neg from scored group by batch, model_version, s
),
auc_ranks as (
    select batch, model_version, s, pos, neg,
           coalesce(sum(pos + neg) over (partition by batch, model_version order by s
                                         rows between unbounded preceding and 1 preceding), 0) as below
    from auc_groups
),
auc as (
    select batch, model_version,
           (sum(pos * (below + (pos + neg + 1) / 2)) - sum(pos) * (sum(pos) + 1) / 2)
             / nullif(sum(pos) * sum(neg), 0) as roc_auc
    from auc_ranks
    group by batch, model_version
),
{%- endif %}
metrics as (
    select batch, model_version, 'accuracy' as metric, accuracy as value from agg
    union all select batch, model_version, 'log_loss', log_loss from agg
    union all select batch, model_version, 'brier', brier from agg
    {%- if task == 'binary' %}
    union all select batch, model_version, 'roc_auc', roc_auc from auc
    union all select batch, model_version, 'precision', case when tp + fp > 0 then tp / (tp + fp) else 0 end from agg
    union all select batch, model_version, 'recall', case when tp + fn > 0 then tp / (tp + fn) else 0 end from agg
    union all select batch, model_version, 'f1', case when 2 * tp + fp + fn > 0 then 2 * tp / (2 * tp + fp + fn) else 0 end from agg
    {%- endif %}
    union all select batch, model_version, 'labelled_rows', cast(n as {{ dbl }}) from todo
)
{%- elif task == 'regression' %}
reg as (
    select batch, model_version, avg(abs(y_num - pred_num)) as mae, avg((y_num - pred_num) * (y_num - pred_num)) as mse,
           sum((y_num - pred_num) * (y_num - pred_num)) as sse, avg(y_num) as y_mean
    from j
    group by batch, model_version
),
sst as (
    select j.batch, j.model_version, sum((j.y_num - reg.y_mean) * (j.y_num - reg.y_mean)) as sst
    from j join reg on reg.batch = j.batch and reg.model_version = j.model_version
    group by j.batch, j.model_version
),
metrics as (
    select batch, model_version, 'mae' as metric, mae as value from reg
    union all select batch, model_version, 'rmse', sqrt(mse) from reg
    union all select reg.batch, reg.model_version, 'r2', case when sst.sst > 0 then 1 - reg.sse / sst.sst
                                      when reg.sse = 0 then cast(1 as {{ dbl }}) else cast(0 as {{ dbl }}) end
              from reg join sst on sst.batch = reg.batch and sst.model_version = reg.model_version
    union all select batch, model_version, 'labelled_rows', cast(n as {{ dbl }}) from todo
)
{%- else %}
metrics as (
    select batch, model_version, 'labelled_rows' as metric, cast(n as {{ dbl }}) as value from todo
)
{%- endif %}
{{ skl2sql.monitor_metric_rows(cfg, feature_column=none) }}
{%- endmacro %}
