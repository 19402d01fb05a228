{#
    Parses the contract's timestamp forms: '2024-03-01 12:34:56', with 'T'
    instead of the space, optional fractional seconds, and an optional 'Z' or
    numeric offset. An offset other than UTC is converted to UTC, never
    dropped. Anything else (a date alone, '31/12/2024', an impossible date)
    gives null, which staging quarantines as unparseable_timestamp.
#}
{% macro timestamp_pattern() %}
    {{- return('^([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]([0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,9})?)(Z|([+-])([0-9]{2}):?([0-9]{2})?)?$') -}}
{% endmacro %}

{% macro parse_utc_timestamp(column) %}
    {%- set pattern = timestamp_pattern() -%}
    {%- set value = trim_whitespace(column) -%}
    case
        -- The common form, 'YYYY-MM-DD HH:MM:SS', skips the regular
        -- expressions (six per value cost more than the rest of staging);
        -- the cast refuses anything in it that is not a valid timestamp.
        when {{ value }} like '____-__-__ __:__:__'
            then try_cast({{ value }} as timestamp)
        -- The pattern is anchored, so containing it is matching it whole.
        -- Both engines give '' for a group that did not take part.
        when {{ regexp_contains(value, pattern) }}
            then try_cast(
                regexp_extract({{ value }}, '{{ pattern }}', 1)
                || ' '
                || regexp_extract({{ value }}, '{{ pattern }}', 2)
                as timestamp
            )
            - {{ minutes_interval(
                "case regexp_extract(" ~ value ~ ", '" ~ pattern ~ "', 5)
                    when '-' then -1
                    else 1
                end
                * (
                    coalesce(try_cast(regexp_extract(" ~ value ~ ", '" ~ pattern ~ "', 6) as integer), 0) * 60
                    + coalesce(try_cast(regexp_extract(" ~ value ~ ", '" ~ pattern ~ "', 7) as integer), 0)
                )"
            ) }}
    end
{% endmacro %}

{# An interval of n minutes, n an integer expression. #}
{% macro minutes_interval(n) %}
    {{ return(adapter.dispatch('minutes_interval', 'trainset')(n)) }}
{% endmacro %}

{% macro duckdb__minutes_interval(n) -%}
    to_minutes({{ n }})
{%- endmacro %}

{% macro spark__minutes_interval(n) -%}
    make_dt_interval(0, 0, {{ n }})
{%- endmacro %}
