[[ header ]]{#- append-only prediction log of model [[ name ]]: each run appends the rows of its input not yet
    scored by the active version, once per ([[ key_text ]], model_version); the package macro
    skl2sql.prediction_log writes the SQL. --full-refresh leaves it alone (see docs/dbt.md). -#}
{{ config(
    materialized="incremental",
    incremental_strategy="append",
    on_schema_change="append_new_columns",
    full_refresh=skl2sql.log_full_refresh(),
    skl2sql_labels=[[ labels ]],
    skl2sql_unique_key=[[ unique_key ]],
    pre_hook=["{{ skl2sql.scoring_session() }}", "{{ skl2sql.log_prepare(config.get('skl2sql_labels')) }}"],
    post_hook="{{ skl2sql.log_unique_key(config.get('skl2sql_unique_key')) }}",
) }}
[[ depends_on ]]{{ skl2sql.prediction_log(
    name=[[ name_literal ]],
    version=score_[[ name ]]_version(),
    input=[[ input ]],
    keys=[[ keys ]],
    batch_column=[[ batch_column ]],
    features=[[ features ]],
    labels=[[ labels ]],
    numbers=[[ numbers ]],
    score=score_[[ name ]],
) }}
