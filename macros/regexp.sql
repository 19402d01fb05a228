{#
    Regular expressions that differ by engine. Patterns are written for the
    common subset of RE2 (DuckDB) and java.util.regex (Spark): no lookaround,
    no backreferences in the pattern, no backslashes (Spark's string literals
    take them as escapes); the one POSIX class used, [[:space:]], becomes
    Java's \s, the same six characters. Replacements name groups as \1, \2;
    the Spark version rewrites them as $1, $2.
#}
{% macro regexp_replace_all(expression, pattern, replacement) %}
    {{ return(adapter.dispatch('regexp_replace_all', 'trainset')(expression, pattern, replacement)) }}
{% endmacro %}

{% macro duckdb__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace(
        {{ expression }},
        '{{ pattern | replace('[[:space:]]', '\\\\s') }}',
        '{{ replacement | replace("\\1", "$1") | replace("\\2", "$2") }}'
    )
{%- endmacro %}

{% macro regexp_contains(expression, pattern) %}
    {{ return(adapter.dispatch('regexp_contains', 'trainset')(expression, pattern)) }}
{% endmacro %}

{% macro duckdb__regexp_contains(expression, pattern) -%}
    regexp_matches({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__regexp_contains(expression, pattern) -%}
    ({{ expression }} rlike '{{ pattern | replace('[[:space:]]', '\\\\s') }}')
{%- endmacro %}
