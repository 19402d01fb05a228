{# A CTE's keyword to compute it once however often it is read. Dispatched. #}
{% macro materialized_cte() %}
    {{ return(adapter.dispatch('materialized_cte', 'trainset')()) }}
{% endmacro %}

{% macro duckdb__materialized_cte() -%}
    materialized
{%- endmacro %}

{#- Spark has no keyword for it. -#}
{% macro spark__materialized_cte() -%}
{%- endmacro %}
