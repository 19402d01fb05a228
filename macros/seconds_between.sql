{# Seconds since the epoch of a timestamp, as a number. #}
{% macro epoch_seconds(timestamp) %}
    {{ return(adapter.dispatch('epoch_seconds', 'trainset')(timestamp)) }}
{% endmacro %}

{% macro duckdb__epoch_seconds(timestamp) -%}
    epoch({{ timestamp }})
{%- endmacro %}

{% macro spark__epoch_seconds(timestamp) -%}
    cast({{ timestamp }} as double)
{%- endmacro %}

{# Seconds from one timestamp to a later one, as a number. #}
{% macro seconds_between(start_timestamp, end_timestamp) -%}
    ({{ epoch_seconds(end_timestamp) }} - {{ epoch_seconds(start_timestamp) }})
{%- endmacro %}
