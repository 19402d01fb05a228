{#
    Removes known boilerplate from a free text before it becomes a feature
    (signatures, "Sent from my iPhone", quoted replies): every match of the
    regexes in var strip_boilerplate_patterns is cut out in one pass, and
    the ends are trimmed. The default list is empty, and then the text is
    left exactly as it is. Patterns are written for RE2 and Java alike
    (macros/regexp.sql), e.g. '(?i)sent from my [a-z]+' or, for a quoted
    reply and all after it, '(?s)[\n]On [^\n]* wrote:.*'. The dataset card
    names the patterns applied.
#}
{% macro strip_boilerplate(expression) %}
    {%- set patterns = var('strip_boilerplate_patterns', []) -%}
    {%- if patterns is string or patterns is mapping -%}
        {{ exceptions.raise_compiler_error(
            "var strip_boilerplate_patterns: a list of regexes, got " ~ patterns) }}
    {%- endif -%}
    {%- if not patterns -%}
        {{ return(expression) }}
    {%- endif -%}
    {%- for regex in patterns if regex is not string or not regex -%}
        {{ exceptions.raise_compiler_error(
            "var strip_boilerplate_patterns: each entry must be a non-empty regex, got "
            ~ regex) }}
    {%- endfor -%}
    {%- set stripped = regexp_replace_all(
        expression, '(?:' ~ patterns | join(')|(?:') ~ ')', '') -%}
    {{ return(trim_whitespace(stripped)) }}
{% endmacro %}
