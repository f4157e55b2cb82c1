{#- Combinations of the given columns that occur more than once (nulls compare equal). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by all
having count(*) > 1

{% endtest %}
