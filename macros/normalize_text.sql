{#
    The text key that the duplicate and conflict tests compare: lower case,
    trimmed, runs of whitespace collapsed to one space. Masked tokens such as
    <email> stay, so two messages that differ only in an address match.
    With several columns the key is their normalized concatenation.
#}
{% macro normalize_text(expression) -%}
    {{ regexp_replace_all(
        'lower(' ~ trim_whitespace(expression) ~ ')', '[[:space:]]+', ' '
    ) }}
{%- endmacro %}

{% macro text_key(columns, normalize=true) -%}
    {%- set parts = [] -%}
    {%- for column in ([columns] if columns is string else columns) -%}
        {%- set value = "coalesce(" ~ column ~ ", '')" -%}
        {%- do parts.append(normalize_text(value) if normalize else value) -%}
    {%- endfor -%}
    {%- if parts | length == 1 -%}
        {{ parts[0] }}
    {%- else -%}
        concat_ws(' | ', {{ parts | join(', ') }})
    {%- endif -%}
{%- endmacro %}
