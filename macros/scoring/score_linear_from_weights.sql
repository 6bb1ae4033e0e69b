{#- Score `relation` with a linear model stored as rows of `weights` (model as data).

    weights: columns model_version, output (score index), output_name, term, feature (NULL for the
    intercept), weight. The rows of `model_version` are pivoted into one row and cross-joined to the
    input, so scoring is one pass over the input; replacing a model of the same shape is loading
    rows for a new version.
    task: "regression" (prediction = score), "binary" (logistic; label is classes[1] when the
    score is > 0, as sklearn) or "multinomial" (softmax; the first largest score wins ties).
    outputs: the output column names (prediction, then probability_<class> per class), as in the
    compiled SQL contract. A NULL feature gives NULL outputs (every feature keeps its weight row),
    and so does an infinite one (scikit-learn refuses it) or a stored NaN, and so does a value
    beyond the overflow bound read from the weights, DBL_MAX / (2 * max(1, sum |weight|)): within
    it no score can leave the double range (PostgreSQL and MariaDB raise when one does, failing the
    whole query; the compiled SQL has the same rule, skl2sql.overflow_bound). -#}
{% macro score_linear_from_weights(relation, weights, model_version, features, keep, task, classes, outputs) -%}
    {{ return(adapter.dispatch('score_linear_from_weights', 'skl2sql')(relation, weights, model_version, features, keep, task, classes, outputs)) }}
{%- endmacro %}

{% macro default__score_linear_from_weights(relation, weights, model_version, features, keep, task, classes, outputs) -%}
{%- set n_scores = (classes | length) if task == "multinomial" else 1 -%}
{%- set dbl = skl2sql.type_double() -%}
{%- if task not in ("regression", "binary", "multinomial") -%}
    {{ exceptions.raise_compiler_error("skl2sql.score_linear_from_weights: unknown task '" ~ task ~ "'") }}
{%- endif -%}
{#- scikit-learn refuses a row holding an infinity ("Input X contains infinity"): every score of
    such a row is NULL, as in the compiled SQL (Context.guard_finite). A linear model's score is
    NULL whenever a feature is, so each feature is read as NULL unless finite (skl2sql.input_finite:
    one range check, which is false for a stored NaN too). -#}
with skl2sql_w as (
    select
    {%- for k in range(n_scores) %}
        {%- for f in features %}
        max(case when {{ adapter.quote("output") }} = {{ k }} and {{ adapter.quote("feature") }} = {{ skl2sql.sql_literal(f) }} then {{ adapter.quote("weight") }} end) as skl2sql_w_{{ k }}_{{ loop.index0 }},
        {%- endfor %}
        max(case when {{ adapter.quote("output") }} = {{ k }} and {{ adapter.quote("feature") }} is null then {{ adapter.quote("weight") }} end) as skl2sql_b_{{ k }},
    {%- endfor %}
        cast({{ skl2sql.double_max() }} as {{ dbl }}) / (2 * greatest(sum(abs({{ adapter.quote("weight") }})), cast(1 as {{ dbl }}))) as skl2sql_bound
    from {{ weights }}
    where {{ adapter.quote("model_version") }} = {{ skl2sql.sql_literal(model_version) }}
),
skl2sql_z as (
    select
        {%- for c in keep %}
        skl2sql_in.{{ adapter.quote(c) }},
        {%- endfor %}
        {%- for k in range(n_scores) %}
        {% for f in features -%}
        skl2sql_w.skl2sql_w_{{ k }}_{{ loop.index0 }} * {{ skl2sql.input_finite("skl2sql_in." ~ adapter.quote(f), "skl2sql_w.skl2sql_bound") }} + {% endfor -%}
        skl2sql_w.skl2sql_b_{{ k }} as skl2sql_z_{{ k }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }} as skl2sql_in
    cross join skl2sql_w
)
{%- if task == "regression" %}
select
    {%- for c in keep %}
    {{ adapter.quote(c) }},
    {%- endfor %}
    skl2sql_z_0 as {{ adapter.quote(outputs[0]) }}
from skl2sql_z
{%- elif task == "binary" %},
skl2sql_p as (
    select skl2sql_z.*, {{ skl2sql.sigmoid("skl2sql_z_0") }} as skl2sql_p1
    from skl2sql_z
)
select
    {%- for c in keep %}
    {{ adapter.quote(c) }},
    {%- endfor %}
    case
        when skl2sql_z_0 > 0 then {{ skl2sql.sql_literal(classes[1]) }}
        when skl2sql_z_0 <= 0 then {{ skl2sql.sql_literal(classes[0]) }}
    end as {{ adapter.quote(outputs[0]) }},
    1 - skl2sql_p1 as {{ adapter.quote(outputs[1]) }},
    skl2sql_p1 as {{ adapter.quote(outputs[2]) }}
from skl2sql_p
{%- else %},
{{ skl2sql.softmax_ctes("skl2sql_z", "skl2sql_z", n_scores) }}
select
    {%- for c in keep %}
    {{ adapter.quote(c) }},
    {%- endfor %}
    {{ skl2sql.argmax_label("skl2sql_z", n_scores, classes) }} as {{ adapter.quote(outputs[0]) }}
    {%- for k in range(n_scores) %},
    skl2sql_e_{{ k }} / skl2sql_den as {{ adapter.quote(outputs[k + 1]) }}
    {%- endfor %}
from skl2sql_s
{%- endif %}
{%- endmacro %}
