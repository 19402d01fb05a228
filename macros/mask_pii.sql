{#
    Personal data in free text, one definition for masking (mask_pii) and for
    detection (the pii_free test). Order matters: emails, then cards, then
    IPv4 addresses, then phones, so a card or an IP is never taken for a
    phone. RE2 (DuckDB) has no lookaround, so the digit boundaries are
    capturing groups that the replacement writes back: `lead` and `trail`
    say which of the two a pattern captures, in that order.
#}
{% macro pii_patterns() %}
    {%- set octet = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])' -%}
    {{ return([
        {'name': 'email', 'token': '<email>', 'lead': false, 'trail': false,
         'pattern': '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:[.][A-Za-z0-9-]+)*[.][A-Za-z]{2,}'},
        {'name': 'card', 'token': '<card>', 'lead': true, 'trail': true,
         'pattern': '(^|[^0-9])[0-9](?:[ -]?[0-9]){12,18}([^0-9]|$)'},
        {'name': 'ip', 'token': '<ip>', 'lead': true, 'trail': true,
         'pattern': '(^|[^0-9.])(?:' ~ octet ~ '[.]){3}' ~ octet ~ '([^0-9]|$)'},
        {'name': 'phone', 'token': '<phone>', 'lead': false, 'trail': true,
         'pattern': '[+]?[(]?[0-9](?:[ ().-]{0,2}[0-9]){8,}([^0-9:]|$)'},
    ]) }}
{% endmacro %}

{% macro mask_pii(column) %}
    {%- set ns = namespace(sql=column) -%}
    {%- for p in pii_patterns() -%}
        {%- set replacement = ('\\1' if p.lead else '') ~ p.token
            ~ (('\\2' if p.lead else '\\1') if p.trail else '') -%}
        {%- set ns.sql = regexp_replace_all(ns.sql, p.pattern, replacement) -%}
    {%- endfor -%}
    {{ ns.sql }}
{% endmacro %}

{# True where an expression still holds personal data by those patterns. #}
{% macro contains_pii(expression) %}
    (
    {%- for p in pii_patterns() %}
        {{ regexp_contains(expression, p.pattern) }}{{ " or" if not loop.last }}
    {%- endfor %}
    )
{% endmacro %}
