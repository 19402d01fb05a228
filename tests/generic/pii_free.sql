{#
    Personal data in training text ends up in model weights and in every
    copy of the export. Lists each value of the given columns that still
    holds personal data of a kind (an email, card, IPv4, phone, or a pattern
    of var pii_extra_patterns): where masking that kind would change it, the
    definition of contains_pii. The value itself is shown masked, so
    the test's own output never repeats the personal data. Errors by default.
#}
{% test pii_free(model, columns) %}

{%- set checks = [] -%}
{%- for column in ([columns] if columns is string else columns) -%}
    {%- for p in pii_patterns() -%}
        {%- do checks.append((column, p)) -%}
    {%- endfor -%}
{%- endfor %}

{%- for column, p in checks %}
select
    '{{ column }}' as column_name,
    '{{ p.name }}' as pii_kind,
    substr({{ mask_pii(column) }}, 1, 200) as masked_text_start
from {{ model }}
where {{ contains_pii(column, [p.name]) }}
{{ "union all" if not loop.last }}
{%- endfor %}

{% endtest %}
