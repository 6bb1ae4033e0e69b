{#- Drift of one model's columns against its baseline, per batch and column.

    values_sql: long values (batch, model_version, feature, kind, x, c); batches_sql: the
    (batch, model_version) pairs to compute, with scored_at; role: 'feature' or 'prediction' rows of the baseline seed.

    Numeric columns are binned with the baseline's edges (lower < x <= upper; open outer bins), NULLs
    left out (they are reported as null_share by the data-quality model). With reference shares p
    and current shares q per bin (categories for categorical columns; an unseen category has p = 0):
      psi            = sum((q - p) * ln((q + 1e-4) / (p + 1e-4)))   (epsilon added to both shares)
      jensen_shannon = sqrt((KL(p||m) + KL(q||m)) / 2) with m = (p + q) / 2, log base 2: in [0, 1]
      ks             = max over bin upper edges of |P(x <= edge) - Q(x <= edge)| (numeric only)
      wasserstein    = W1 between the two binned distributions, each bin's mass at the mean of its
                       values (training values for p, the batch's for q), divided by the training
                       std (NULL when the std is 0) (numeric only)
      linf           = max |p - q| over categories (categorical only). -#}
{% macro monitor_drift_block(cfg, values_sql, batches_sql, role) -%}
  {%- set dbl = skl2sql.monitor_double() -%}
  {%- set txt = skl2sql.monitor_text() -%}
  {%- set eps = '1e-4' -%}
with
batches as (
{{ batches_sql }}
),
vals as (
    select v.batch, v.model_version, v.feature, v.kind, v.x, v.c
    from ({{ values_sql }}) as v
    join batches as b on b.batch = v.batch and b.model_version = v.model_version
),
base as (
    select
        cast(model_version as {{ txt }}) as model_version,
        cast(feature as {{ txt }}) as feature,
        cast(stat as {{ txt }}) as stat,
        bin,
        cast(lower_edge as {{ dbl }}) as lower_edge,
        cast(upper_edge as {{ dbl }}) as upper_edge,
        cast(category as {{ txt }}) as category,
        cast(value as {{ dbl }}) as value,
        cast(center as {{ dbl }}) as center
    from {{ ref(cfg['baseline']) }}
    where role = {{ skl2sql.monitor_literal(role) }}
      and model_name = {{ skl2sql.monitor_literal(cfg['name']) }}
),
present as (
    select distinct batch, model_version, feature, kind from vals
),
-- numeric columns: bins
grid as (
    select pr.batch, pr.model_version, pr.feature, bs.bin, bs.lower_edge, bs.upper_edge,
           bs.value as p, bs.center
    from present as pr
    join base as bs
      on bs.model_version = pr.model_version and bs.feature = pr.feature and bs.stat = 'bin'
    where pr.kind = 'numeric'
),
binned as (
    select g.batch, g.model_version, g.feature, g.bin, count(*) as n, avg(v.x) as cur_mean
    from vals as v
    join grid as g
      on g.batch = v.batch and g.model_version = v.model_version and g.feature = v.feature
     and (g.lower_edge is null or v.x > g.lower_edge)
     and (g.upper_edge is null or v.x <= g.upper_edge)
    where v.kind = 'numeric' and v.x is not null
    group by g.batch, g.model_version, g.feature, g.bin
),
num_total as (
    select batch, model_version, feature, sum(n) as total from binned group by batch, model_version, feature
),
num_shares as (
    select g.batch, g.model_version, g.feature, g.bin, g.upper_edge, g.p, g.center,
           cast(coalesce(bn.n, 0) as {{ dbl }}) / cast(t.total as {{ dbl }}) as q,
           bn.cur_mean
    from grid as g
    join num_total as t on t.batch = g.batch and t.model_version = g.model_version and t.feature = g.feature
    left join binned as bn
      on bn.batch = g.batch and bn.model_version = g.model_version and bn.feature = g.feature and bn.bin = g.bin
),
num_cum as (
    select s.*,
           sum(p) over (partition by batch, model_version, feature order by bin rows between unbounded preceding and current row) as cp,
           sum(q) over (partition by batch, model_version, feature order by bin rows between unbounded preceding and current row) as cq
    from num_shares as s
),
num_metrics as (
    select batch, model_version, feature,
           sum((q - p) * ln((q + {{ eps }}) / (p + {{ eps }}))) as psi,
           sqrt(greatest(0.0, (sum(case when p > 0 then p * ln(2 * p / (p + q)) else 0 end)
                             + sum(case when q > 0 then q * ln(2 * q / (p + q)) else 0 end)) / (2 * ln(2)))) as js,
           max(case when upper_edge is not null then abs(cp - cq) else 0 end) as ks
    from num_cum
    group by batch, model_version, feature
),
points as (
    select batch, model_version, feature, center as pos, p as wp, cast(0 as {{ dbl }}) as wq from num_shares where p > 0
    union all
    select batch, model_version, feature, cur_mean as pos, cast(0 as {{ dbl }}) as wp, q as wq from num_shares where q > 0
),
points_cdf as (
    select batch, model_version, feature, pos,
           sum(wp) over w as cf_ref,
           sum(wq) over w as cf_cur,
           lead(pos) over w as next_pos
    from points
    window w as (partition by batch, model_version, feature order by pos rows between unbounded preceding and current row)
),
wasserstein as (
    select c.batch, c.model_version, c.feature,
           sum(case when c.next_pos is not null then abs(c.cf_ref - c.cf_cur) * (c.next_pos - c.pos) else 0 end)
             / nullif(max(sd.value), 0) as w
    from points_cdf as c
    left join base as sd on sd.model_version = c.model_version and sd.feature = c.feature and sd.stat = 'std'
    group by c.batch, c.model_version, c.feature
),
-- categorical columns: categories
cat_ref as (
    select pr.batch, pr.model_version, pr.feature, bs.category, bs.value as p
    from present as pr
    join base as bs
      on bs.model_version = pr.model_version and bs.feature = pr.feature and bs.stat = 'category'
    where pr.kind = 'categorical'
),
cat_cur as (
    select batch, model_version, feature, c as category, count(*) as n
    from vals
    where kind = 'categorical' and c is not null
    group by batch, model_version, feature, c
),
cat_total as (
    select batch, model_version, feature, sum(n) as total from cat_cur group by batch, model_version, feature
),
cat_keys as (
    select batch, model_version, feature, category from cat_ref
    union
    select batch, model_version, feature, category from cat_cur
),
cat_shares as (
    select k.batch, k.model_version, k.feature, k.category,
           coalesce(r.p, 0) as p,
           cast(coalesce(cc.n, 0) as {{ dbl }}) / cast(t.total as {{ dbl }}) as q
    from cat_keys as k
    join cat_total as t on t.batch = k.batch and t.model_version = k.model_version and t.feature = k.feature
    left join cat_ref as r
      on r.batch = k.batch and r.model_version = k.model_version and r.feature = k.feature and r.category = k.category
    left join cat_cur as cc
      on cc.batch = k.batch and cc.model_version = k.model_version and cc.feature = k.feature and cc.category = k.category
),
cat_metrics as (
    select batch, model_version, feature,
           sum((q - p) * ln((q + {{ eps }}) / (p + {{ eps }}))) as psi,
           sqrt(greatest(0.0, (sum(case when p > 0 then p * ln(2 * p / (p + q)) else 0 end)
                             + sum(case when q > 0 then q * ln(2 * q / (p + q)) else 0 end)) / (2 * ln(2)))) as js,
           max(abs(p - q)) as linf
    from cat_shares
    group by batch, model_version, feature
),
metrics as (
    select batch, model_version, feature, 'psi' as metric, psi as value from num_metrics
    union all select batch, model_version, feature, 'jensen_shannon', js from num_metrics
    union all select batch, model_version, feature, 'ks', ks from num_metrics
    union all select batch, model_version, feature, 'wasserstein', w from wasserstein
    union all select batch, model_version, feature, 'psi', psi from cat_metrics
    union all select batch, model_version, feature, 'jensen_shannon', js from cat_metrics
    union all select batch, model_version, feature, 'linf', linf from cat_metrics
)
{{ skl2sql.monitor_metric_rows(cfg) }}
{%- endmacro %}
