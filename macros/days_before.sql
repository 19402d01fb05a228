{# A timestamp n whole days before another. #}
{% macro days_before(timestamp_expression, days) %}
    {{ return(adapter.dispatch('days_before', 'trainset')(timestamp_expression, days)) }}
{% endmacro %}

{% macro default__days_before(timestamp_expression, days) -%}
    ({{ timestamp_expression }} - interval '{{ days }} days')
{%- endmacro %}

{% macro spark__days_before(timestamp_expression, days) -%}
    ({{ timestamp_expression }} - make_interval(0, 0, 0, {{ days }}))
{%- endmacro %}
