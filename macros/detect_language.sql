{#
    The language a text is written in (an ISO 639-1 code), or null when it
    is too short to tell. On DuckDB it calls detect_language, the function
    that the trainset dbt-duckdb plugin (profiles.yml `plugins:`) registers
    from python/trainset/language.py.
#}
{% macro detect_language(expression) %}
    {{ return(adapter.dispatch('detect_language', 'trainset')(expression)) }}
{% endmacro %}

{% macro duckdb__detect_language(expression) -%}
    detect_language({{ expression }})
{%- endmacro %}

{#- Spark cannot: dbt-spark has no plugin to register a Python function,
    so nothing is detected and language_mismatch finds no rows there. It
    says so in the build's output, so a pass is not read as a check. -#}
{% macro spark__detect_language(expression) -%}
    {%- if execute -%}
        {%- do log(
            "language_mismatch: not checked on Spark: dbt-spark cannot register"
            ~ " the Python language detector, so the test passes without detecting",
            info=true
        ) -%}
    {%- endif -%}
    cast(null as string)
{%- endmacro %}
