{#
    Regular expressions that differ by engine. Patterns are written for the
    common subset of RE2 (DuckDB) and java.util.regex (Spark): no lookaround,
    no backreferences in the pattern. A backslash (as in \b) is written once;
    Spark's string literals take it as an escape, so the Spark versions
    double it. The one POSIX class used, [[:space:]], becomes Java's \s, the
    same six characters. Replacements name groups as \1, \2; the Spark
    version rewrites them as $1, $2.
#}
{% macro regexp_literal(pattern) %}
    {{ return(adapter.dispatch('regexp_literal', 'trainset')(pattern)) }}
{% endmacro %}

{% macro duckdb__regexp_literal(pattern) -%}
    '{{ pattern | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__regexp_literal(pattern) -%}
    '{{ pattern | replace('\\', '\\\\') | replace('[[:space:]]', '\\\\s') | replace("'", "\\'") }}'
{%- endmacro %}

{% macro regexp_replace_all(expression, pattern, replacement) %}
    {{ return(adapter.dispatch('regexp_replace_all', 'trainset')(expression, pattern, replacement)) }}
{% endmacro %}

{% macro duckdb__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ regexp_literal(pattern) }}, '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace(
        {{ expression }},
        {{ regexp_literal(pattern) }},
        '{{ replacement | replace("\\1", "$1") | replace("\\2", "$2") }}'
    )
{%- endmacro %}

{% macro regexp_contains(expression, pattern) %}
    {{ return(adapter.dispatch('regexp_contains', 'trainset')(expression, pattern)) }}
{% endmacro %}

{% macro duckdb__regexp_contains(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ regexp_literal(pattern) }})
{%- endmacro %}

{% macro spark__regexp_contains(expression, pattern) -%}
    ({{ expression }} rlike {{ regexp_literal(pattern) }})
{%- endmacro %}

{#
    Rebuilds a text from its matches of a pattern and the parts between
    them, each rewritten by a macro: outside(sql, context) for the parts
    between, inside(sql, context) for the matches; none keeps a part as it
    is. `param` names the lambda's parameter (nested calls need their own).
    A pattern must not match the empty string. Call it only where the
    pattern matches (case when regexp_contains ...): DuckDB gives '' for a
    null text.
#}
{% macro regexp_map(expression, pattern, param, outside=none, inside=none, context=none) %}
    {{ return(adapter.dispatch('regexp_map', 'trainset')(expression, pattern, param, outside, inside, context)) }}
{% endmacro %}

{# concat skips the null match after the last part. #}
{% macro duckdb__regexp_map(expression, pattern, param, outside, inside, context) -%}
    {%- set part, match = param ~ '[1]', param ~ '[2]' -%}
    array_to_string(
        list_transform(
            list_zip(
                regexp_split_to_array({{ expression }}, {{ regexp_literal(pattern) }}),
                regexp_extract_all({{ expression }}, {{ regexp_literal(pattern) }})
            ),
            lambda {{ param }}: concat(
                {{ outside(part, context) if outside else part }},
                {{ inside(match, context) if inside else match }}
            )
        ),
        ''
    )
{%- endmacro %}

{% macro spark__regexp_map(expression, pattern, param, outside, inside, context) -%}
    {%- set part, match = param ~ '_part', param ~ '_match' -%}
    array_join(
        zip_with(
            split({{ expression }}, {{ regexp_literal(pattern) }}, -1),
            regexp_extract_all({{ expression }}, {{ regexp_literal(pattern) }}, 0),
            ({{ part }}, {{ match }}) -> concat(
                {{ outside(part, context) if outside else part }},
                coalesce({{ inside(match, context) if inside else match }}, '')
            )
        ),
        ''
    )
{%- endmacro %}

{# True where the digits of an expression pass the Luhn check (payment cards). #}
{% macro luhn_valid(expression) %}
    {{ return(adapter.dispatch('luhn_valid', 'trainset')(expression)) }}
{% endmacro %}

{#
    The digits from the right in pairs: the first counts as itself, the
    second doubled, less 9 above 9, which is its place in 0516273849 (an
    empty second digit is at place 1, so counts 0).
#}
{% macro luhn_pair_value(pair) -%}
    instr('0123456789', substr({{ pair }}, 1, 1))
    + instr('0516273849', substr({{ pair }}, 2, 1)) - 2
{%- endmacro %}

{% macro duckdb__luhn_valid(expression) -%}
    (list_sum(list_transform(
        regexp_extract_all(
            reverse(regexp_replace({{ expression }}, '[^0-9]', '', 'g')), '[0-9][0-9]?'
        ),
        lambda luhn_pair: {{ luhn_pair_value('luhn_pair') }}
    )) % 10 = 0)
{%- endmacro %}

{% macro spark__luhn_valid(expression) -%}
    (aggregate(
        regexp_extract_all(
            reverse(regexp_replace({{ expression }}, '[^0-9]', '')), '[0-9][0-9]?', 0
        ),
        0,
        (luhn_sum, luhn_pair) -> luhn_sum + {{ luhn_pair_value('luhn_pair') }}
    ) % 10 = 0)
{%- endmacro %}
