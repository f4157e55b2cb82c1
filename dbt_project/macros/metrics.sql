{#- A rate in percent (0–100, unrounded); null when the denominator is zero or null (marts.md). -#}
{% macro pct(numerator, denominator) -%}
    case when ({{ denominator }}) > 0 then 100.0::double * ({{ numerator }}) / ({{ denominator }}) end
{%- endmacro %}

{#- A mean from its sum and count; null when the count is zero. -#}
{% macro mean(total, count) -%}
    case when ({{ count }}) > 0 then 1.0::double * ({{ total }}) / ({{ count }}) end
{%- endmacro %}

{#- VADER's conventional cut-offs (orchestration/text/sentiment.py). -#}
{% macro sentiment_label(score_column) -%}
    case
        when {{ score_column }} >= 0.05 then 'positive'
        when {{ score_column }} <= -0.05 then 'negative'
        when {{ score_column }} is not null then 'neutral'
    end
{%- endmacro %}

{% macro count_if(condition) -%}
    count(*) filter (where {{ condition }})
{%- endmacro %}

{#-
    A sum of seconds that does not depend on row order: floating-point addition is not associative, and
    DuckDB aggregates in parallel, so an incremental rebuild could differ from a full one in the last bit.
    Summing microsecond-exact decimals is exact.
-#}
{% macro exact_seconds_sum(expression) -%}
    coalesce(sum(({{ expression }})::decimal(38, 6)), 0)::double
{%- endmacro %}
