{#- UTC is stored as naive TIMESTAMP; local values are naive TIMESTAMPs in the client's IANA zone. -#}

{% macro to_local(utc_column, timezone_column) -%}
    (({{ utc_column }} at time zone 'UTC') at time zone coalesce({{ timezone_column }}, 'UTC'))
{%- endmacro %}

{#- The UTC instant at which a local (naive) timestamp happens in the given zone. -#}
{% macro to_utc(local_column, timezone_column) -%}
    (({{ local_column }} at time zone coalesce({{ timezone_column }}, 'UTC')) at time zone 'UTC')
{%- endmacro %}

{#- Elapsed seconds (double), from exact microsecond differences. -#}
{% macro seconds_between(start_column, end_column) -%}
    ((epoch_us({{ end_column }}) - epoch_us({{ start_column }})) / 1000000.0)::double
{%- endmacro %}
