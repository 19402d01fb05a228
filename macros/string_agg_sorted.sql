{# The distinct values of an expression in a group, sorted, joined by ', '. #}
{% macro string_agg_sorted(expression) %}
    {{ return(adapter.dispatch('string_agg_sorted', 'trainset')(expression)) }}
{% endmacro %}

{% macro duckdb__string_agg_sorted(expression) -%}
    string_agg(distinct {{ expression }}, ', ' order by {{ expression }})
{%- endmacro %}

{% macro spark__string_agg_sorted(expression) -%}
    array_join(array_sort(collect_set({{ expression }})), ', ')
{%- endmacro %}
