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

{#
    A CTE's keyword to compute it anew for each read: DuckDB otherwise
    materializes a CTE read twice, and a raw table's every row and text is
    then written to memory (and at scale spilled to disk) before the
    checks start. Dispatched.
#}
{% macro inlined_cte() %}
    {{ return(adapter.dispatch('inlined_cte', 'trainset')()) }}
{% endmacro %}

{% macro duckdb__inlined_cte() -%}
    not materialized
{%- endmacro %}

{#- Spark computes every CTE anew for each read. -#}
{% macro spark__inlined_cte() -%}
{%- endmacro %}
