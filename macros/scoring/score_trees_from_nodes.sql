{#- Score `relation` with a tree model stored as rows of `nodes` (model as data; see
    skl2sql.dbt.tree_data for the table and the tasks).

    Every (row, tree) pair walks down one level per join, to the depth of the deepest tree read
    from the rows; leaf values are then added per score in tree order (tree_value_list +
    tree_list_sum), so sums equal scikit-learn's bit for bit; then the task's link. A row goes
    left when x <= threshold (thresholds are stored as the float64 boundary of scikit-learn's
    float32 comparison), or when x is missing (NULL, or a stored NaN: skl2sql.input_number) and
    missing_left = 1.
    task: mean_regression, mean_classifier (forests and single trees: sum / number of trees),
    regression, exp_regression (log link), logistic (label where raw >= 0), logistic_strict
    (label where raw > 0), exponential, softmax (gradient boosting); sigmoid_regression,
    logistic_half (label where the probability is > 0.5) and softmax_proba (label = first
    largest probability) for XGBoost.
    allow_missing: false for models that refuse NaN (their outputs are NULL for such rows).
    float32_range: rows outside float32 range give NULL outputs, as scikit-learn's float32 trees
    refuse them (false for HistGradientBoosting, LightGBM and XGBoost, which take infinity as a
    value: it is read as the largest double, the stored stand-in of a split at +inf). -#}
{% macro score_trees_from_nodes(relation, nodes, model_version, features, keep, task, classes, outputs, allow_missing, float32_range=true) -%}
    {{ return(adapter.dispatch('score_trees_from_nodes', 'skl2sql')(relation, nodes, model_version, features, keep, task, classes, outputs, allow_missing, float32_range)) }}
{%- endmacro %}

{% macro default__score_trees_from_nodes(relation, nodes, model_version, features, keep, task, classes, outputs, allow_missing, float32_range=true) -%}
{%- if task not in ("mean_regression", "mean_classifier", "regression", "exp_regression", "sigmoid_regression", "logistic", "logistic_strict", "logistic_half", "exponential", "softmax", "softmax_proba") -%}
    {{ exceptions.raise_compiler_error("skl2sql.score_trees_from_nodes: unknown task '" ~ task ~ "'") }}
{%- endif -%}
{%- set n_scores = (classes | length) if task in ("mean_classifier", "softmax", "softmax_proba") else 1 -%}
{%- set shape = skl2sql.tree_nodes_shape(nodes, model_version, features) -%}
{%- set dbl = skl2sql.type_double() -%}
{%- set v = skl2sql.sql_literal(model_version) -%}
{%- set limit = "cast(3.4028235677973366e+38 as " ~ dbl ~ ")" -%}
{%- set q = adapter.quote -%}
with skl2sql_in as materialized (
    select
        {%- for c in keep %}
        {{ q(c) }},
        {%- endfor %}
        {%- set xs = [] %}
        {%- for f in features %}
        {%- do xs.append(skl2sql.input_number(q(f)) if float32_range else skl2sql.input_clipped(q(f))) %}
        {%- endfor %}
        {{ skl2sql.tree_feature_array(xs) }} as skl2sql_xs,
        {%- if float32_range or not allow_missing %}
        case when
        {%- for f in features %}
            {%- if float32_range %}
            {%- set x = skl2sql.input_number(q(f)) %}
            {% if allow_missing %}({{ x }} is null or ({% endif %}{{ x }} > -{{ limit }} and {{ x }} < {{ limit }}{% if allow_missing %})){% endif %}{{ " and" if not loop.last }}
            {%- else %}
            {{ skl2sql.input_number(q(f)) }} is not null{{ " and" if not loop.last }}
            {%- endif %}
        {%- endfor %}
        then 1 else 0 end as skl2sql_ok,
        {%- else %}
        1 as skl2sql_ok,
        {%- endif %}
        row_number() over () as skl2sql_row
    from {{ relation }}
),
skl2sql_split as (
    select
        {{ q("tree") }} as skl2sql_tree,
        {{ q("node") }} as skl2sql_node,
        case {{ q("feature") }}
        {%- for f in features %}
            when {{ skl2sql.sql_literal(f) }} then {{ loop.index }}
        {%- endfor %}
        end as skl2sql_f,
        {{ q("threshold") }} as skl2sql_threshold,
        {{ q("missing_left") }} as skl2sql_missing_left,
        {{ q("left_child") }} as skl2sql_left,
        {{ q("right_child") }} as skl2sql_right
    from {{ nodes }}
    where {{ q("model_version") }} = {{ v }} and {{ q("tree") }} >= 0 and {{ q("left_child") }} is not null
),
skl2sql_leaf as (
    select {{ q("tree") }} as skl2sql_tree, {{ q("node") }} as skl2sql_node, {{ q("output") }} as skl2sql_output, {{ q("value") }} as skl2sql_value
    from {{ nodes }}
    where {{ q("model_version") }} = {{ v }} and {{ q("tree") }} >= 0 and {{ q("value") }} is not null
),
skl2sql_start as (
    select
    {%- for k in range(n_scores) %}
        max(case when {{ q("output") }} = {{ k }} then {{ q("value") }} end) as skl2sql_b_{{ k }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ nodes }}
    where {{ q("model_version") }} = {{ v }} and {{ q("tree") }} = -1
),
skl2sql_walk_0 as (
    select skl2sql_in.skl2sql_row, skl2sql_t.skl2sql_tree, 0 as skl2sql_node, skl2sql_in.skl2sql_xs
    from skl2sql_in
    cross join (select distinct skl2sql_tree from skl2sql_leaf) as skl2sql_t
),
{%- for d in range(1, shape.depth + 1) %}
{%- set xv = skl2sql.tree_feature_item("skl2sql_w.skl2sql_xs", "skl2sql_s.skl2sql_f") %}
skl2sql_walk_{{ d }} as (
    select skl2sql_w.skl2sql_row, skl2sql_w.skl2sql_tree,
        case
            when skl2sql_s.skl2sql_tree is null then skl2sql_w.skl2sql_node
            when {{ xv }} <= skl2sql_s.skl2sql_threshold then skl2sql_s.skl2sql_left
            when {{ xv }} is null and skl2sql_s.skl2sql_missing_left = 1 then skl2sql_s.skl2sql_left
            else skl2sql_s.skl2sql_right
        end as skl2sql_node
        {%- if not loop.last %}, skl2sql_w.skl2sql_xs{% endif %}
    from skl2sql_walk_{{ d - 1 }} as skl2sql_w
    left join skl2sql_split as skl2sql_s
        on skl2sql_s.skl2sql_tree = skl2sql_w.skl2sql_tree and skl2sql_s.skl2sql_node = skl2sql_w.skl2sql_node
),
{%- endfor %}
skl2sql_sums as (
    select skl2sql_w.skl2sql_row
        {%- for k in range(n_scores) %},
        {{ skl2sql.tree_value_list("skl2sql_l.skl2sql_value", "skl2sql_w.skl2sql_tree", "skl2sql_l.skl2sql_output = " ~ k) }} as skl2sql_l_{{ k }}
        {%- endfor %}
    from skl2sql_walk_{{ shape.depth }} as skl2sql_w
    join skl2sql_leaf as skl2sql_l
        on skl2sql_l.skl2sql_tree = skl2sql_w.skl2sql_tree and skl2sql_l.skl2sql_node = skl2sql_w.skl2sql_node
    group by skl2sql_w.skl2sql_row
),
skl2sql_z as (
    select
        {%- for c in keep %}
        skl2sql_in.{{ q(c) }},
        {%- endfor %}
        skl2sql_in.skl2sql_ok
        {%- for k in range(n_scores) %},
        {{ skl2sql.tree_list_sum("skl2sql_start.skl2sql_b_" ~ k, "skl2sql_sums.skl2sql_l_" ~ k) }} as skl2sql_z_{{ k }}
        {%- endfor %}
    from skl2sql_in
    join skl2sql_sums on skl2sql_sums.skl2sql_row = skl2sql_in.skl2sql_row
    cross join skl2sql_start
)
{%- if task in ("mean_regression", "mean_classifier") %},
skl2sql_p as (
    select skl2sql_z.*
        {%- for k in range(n_scores) %},
        case when skl2sql_ok = 1 then skl2sql_z_{{ k }} / cast({{ shape.n_trees }} as {{ dbl }}) end as skl2sql_p_{{ k }}
        {%- endfor %}
    from skl2sql_z
)
select
    {%- for c in keep %}
    {{ q(c) }},
    {%- endfor %}
    {%- if task == "mean_regression" %}
    skl2sql_p_0 as {{ q(outputs[0]) }}
    {%- else %}
    {{ skl2sql.argmax_label("skl2sql_p", n_scores, classes) }} as {{ q(outputs[0]) }}
    {%- for k in range(n_scores) %},
    skl2sql_p_{{ k }} as {{ q(outputs[k + 1]) }}
    {%- endfor %}
    {%- endif %}
from skl2sql_p
{%- elif task in ("regression", "exp_regression", "sigmoid_regression") %}
select
    {%- for c in keep %}
    {{ q(c) }},
    {%- endfor %}
    {%- if task == "exp_regression" %}
    case when skl2sql_ok = 1 then {{ skl2sql.safe_exp("skl2sql_z_0") }} end as {{ q(outputs[0]) }}
    {%- elif task == "sigmoid_regression" %}
    case when skl2sql_ok = 1 then {{ skl2sql.sigmoid("skl2sql_z_0") }} end as {{ q(outputs[0]) }}
    {%- else %}
    case when skl2sql_ok = 1 then skl2sql_z_0 end as {{ q(outputs[0]) }}
    {%- endif %}
from skl2sql_z
{%- elif task in ("logistic", "logistic_strict", "logistic_half", "exponential") %},
skl2sql_p as (
    select skl2sql_z.*,
        case when skl2sql_ok = 1 then {{ skl2sql.sigmoid(("2 * skl2sql_z_0") if task == "exponential" else "skl2sql_z_0") }} end as skl2sql_p1
    from skl2sql_z
)
select
    {%- for c in keep %}
    {{ q(c) }},
    {%- endfor %}
    {%- set strict = task == "logistic_strict" %}
    {%- if task == "logistic_half" %}
    case
        when skl2sql_p1 > 0.5 then {{ skl2sql.sql_literal(classes[1]) }}
        when skl2sql_p1 <= 0.5 then {{ skl2sql.sql_literal(classes[0]) }}
    end as {{ q(outputs[0]) }},
    {%- else %}
    case
        when skl2sql_ok = 1 and skl2sql_z_0 {{ ">" if strict else ">=" }} 0 then {{ skl2sql.sql_literal(classes[1]) }}
        when skl2sql_ok = 1 and skl2sql_z_0 {{ "<=" if strict else "<" }} 0 then {{ skl2sql.sql_literal(classes[0]) }}
    end as {{ q(outputs[0]) }},
    {%- endif %}
    1 - skl2sql_p1 as {{ q(outputs[1]) }},
    skl2sql_p1 as {{ q(outputs[2]) }}
from skl2sql_p
{%- else %},
skl2sql_g as (
    select skl2sql_z.*
        {%- for k in range(n_scores) %},
        case when skl2sql_ok = 1 then skl2sql_z_{{ k }} end as skl2sql_r_{{ k }}
        {%- endfor %}
    from skl2sql_z
),
{{ skl2sql.softmax_ctes("skl2sql_g", "skl2sql_r", n_scores) }},
skl2sql_q as (
    select skl2sql_s.*
        {%- for k in range(n_scores) %},
        skl2sql_e_{{ k }} / skl2sql_den as skl2sql_q_{{ k }}
        {%- endfor %}
    from skl2sql_s
)
select
    {%- for c in keep %}
    {{ q(c) }},
    {%- endfor %}
    {{ skl2sql.argmax_label("skl2sql_q" if task == "softmax_proba" else "skl2sql_r", n_scores, classes) }} as {{ q(outputs[0]) }}
    {%- for k in range(n_scores) %},
    skl2sql_q_{{ k }} as {{ q(outputs[k + 1]) }}
    {%- endfor %}
from skl2sql_q
{%- endif %}
{%- endmacro %}
