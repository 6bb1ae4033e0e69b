[% for seed in seeds %]-- depends_on: {{ ref([[ seed ]]) }}
[% endfor %]