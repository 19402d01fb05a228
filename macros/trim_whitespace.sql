{#
    Trims ASCII whitespace (space, tab, newline, carriage return, vertical
    tab, form feed) from both ends. Plain trim() takes only spaces on DuckDB,
    so a body of "\n" would count as a message.
#}
{% macro trim_whitespace(expression) %}
    {{ return(adapter.dispatch('trim_whitespace', 'trainset')(expression)) }}
{% endmacro %}

{% macro whitespace_characters() -%}
    chr(32) || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)
{%- endmacro %}

{#- Trimming with a set of characters costs five times a look at the two
    ends, and almost no value needs it (docs/benchmarks.md). -#}
{% macro duckdb__trim_whitespace(expression) -%}
    case
        when ascii({{ expression }}) <= 32 or ascii(right({{ expression }}, 1)) <= 32
            then trim({{ expression }}, {{ whitespace_characters() }})
        else {{ expression }}
    end
{%- endmacro %}

{% macro spark__trim_whitespace(expression) -%}
    trim(both {{ whitespace_characters() }} from {{ expression }})
{%- endmacro %}

{#
    Trims spaces from both ends, as trim() does on each engine (on DuckDB
    the Unicode space separators too: no-break space, ideographic space).
    Dispatched: DuckDB's trim copies every value, and few need it (at 1M
    tickets the trim took about half as long as the text key's regex
    pass before it).
#}
{% macro trim_spaces(expression) %}
    {{ return(adapter.dispatch('trim_spaces', 'trainset')(expression)) }}
{% endmacro %}

{#- Only an ASCII value that starts or ends with a space, or a value
    with any other character, can change. The expression stands four
    times: DuckDB computes it once. -#}
{% macro duckdb__trim_spaces(expression) -%}
    case
        when
            starts_with({{ expression }}, ' ')
            or ends_with({{ expression }}, ' ')
            or strlen({{ expression }}) <> length({{ expression }})
            then trim({{ expression }})
        else {{ expression }}
    end
{%- endmacro %}

{% macro spark__trim_spaces(expression) -%}
    trim({{ expression }})
{%- endmacro %}

{# Trimmed text, and null when nothing is left: a blank field is missing. #}
{% macro clean_text(expression) -%}
    nullif({{ trim_whitespace(expression) }}, '')
{%- endmacro %}
