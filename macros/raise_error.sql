{#
    An expression that stops the query with message_expression (a SQL text
    expression) when it is evaluated: for checks that must stop a build in
    one line, such as a taxonomy that cannot be used.
#}
{% macro raise_error(message_expression) %}
    {{ return(adapter.dispatch('raise_error', 'trainset')(message_expression)) }}
{% endmacro %}

{% macro duckdb__raise_error(message_expression) -%}
    error({{ message_expression }})
{%- endmacro %}

{% macro spark__raise_error(message_expression) -%}
    cast(raise_error({{ message_expression }}) as string)
{%- endmacro %}
