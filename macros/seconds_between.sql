{# Seconds from one timestamp to a later one, as a number. #}
{% macro seconds_between(start_timestamp, end_timestamp) %}
    {{ return(adapter.dispatch('seconds_between', 'trainset')(start_timestamp, end_timestamp)) }}
{% endmacro %}

{% macro duckdb__seconds_between(start_timestamp, end_timestamp) -%}
    (epoch({{ end_timestamp }}) - epoch({{ start_timestamp }}))
{%- endmacro %}

{% macro spark__seconds_between(start_timestamp, end_timestamp) -%}
    (cast({{ end_timestamp }} as double) - cast({{ start_timestamp }} as double))
{%- endmacro %}
