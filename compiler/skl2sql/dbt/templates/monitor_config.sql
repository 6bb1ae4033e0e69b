[[ header ]]{# Monitoring config of model [[ name ]]. Labels arrive later: set them with the var skl2sql_labels, e.g.
   vars: {skl2sql_labels: {[[ name ]]: {relation: my_labels, label_column: churned, key: [customer_id]}}} #}
{% macro [[ macro ]]() %}{{ return([[ config ]]) }}{% endmacro %}
