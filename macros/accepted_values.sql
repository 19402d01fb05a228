{#
    The enumerations of the raw contract are vars (accepted_channels,
    accepted_platforms, ...), so a desk with other values extends a list
    instead of editing a model. Values compare lower-cased, as the base
    models lower-case the column.
#}
{% macro accepted_list(var_name) -%}
    {%- set values = var(var_name) -%}
    {%- if values is string -%}
        {%- set values = [values] -%}
    {%- endif -%}
    (
    {%- for value in values -%}
        {{ sql_string(value | string | trim | lower) }}
        {{- ", " if not loop.last }}
    {%- endfor -%}
    )
{%- endmacro %}

{# True when the (lower-cased) value is missing or outside var var_name. #}
{% macro not_accepted(expression, var_name) -%}
    coalesce({{ expression }}, '') not in {{ accepted_list(var_name) }}
{%- endmacro %}

{#
    The reject detail of an invalid_enum row: each column whose value is
    outside its list, with the var to extend. checks is a list of
    [raw text expression, column name, var name]; the value is compared
    trimmed and lower-cased, as the base model checks it. Null when every
    value is in its list.
#}
{% macro enum_reject_detail(checks) -%}
    nullif(concat_ws(
        '; '
        {%- for raw, column, var_name in checks %}
        {%- set value = "lower(" ~ clean_text(raw) ~ ")" %},
        case
            when {{ not_accepted(value, var_name) }}
                then '{{ column }} '
                || coalesce('''' || {{ value }} || '''', 'missing')
                || ' is not in var {{ var_name }}'
        end
        {%- endfor %}
    ), '')
{%- endmacro %}
