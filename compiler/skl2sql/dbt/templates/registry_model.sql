[[ header ]]{#- the model registry: one row per model version (package macro skl2sql.registry_select) -#}
{{ config(materialized="table") }}
{{ skl2sql.registry_select(ref([[ seed_literal ]]), [[ columns_literal ]]) }}
