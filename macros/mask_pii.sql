{#
    Personal data in free text, one definition for masking (mask_pii) and for
    detection (contains_pii, the pii_free test): a text holds personal data
    when masking would change it.

    The built-in patterns are tuned on a labelled corpus of technical and
    personal strings (python/tests/test_masking.py) to leave technical text
    alone: versions, hashes, UUIDs, ids, timestamps and short numbers.
    - Numbers must stand alone (\b): digits inside a hash, a UUID or an id
      are never taken.
    - Cards: 13 to 19 digits with a card's leading digit (2 to 6), written
      solid or in groups of four (Amex 4-6-5) by spaces or by dashes, and
      only when they pass the Luhn check.
    - IPv4: four octets standing alone. A dotted number of five parts or
      more (not one that starts with 0, as a French phone), or a four-part
      one after @ or - or before -x, is kept.
    - Phones: the + form (8 to 15 digits), an area code in parentheses, the
      North American 3-3-4 form, or a national number with its leading 0
      (9 to 13 digits), each with one kind of separator. A bare run of
      digits without + or 0 (an asset id, an epoch) is not a phone.
    - Keep: those dotted numbers, a four-part version after a word such as
      version, build or chrome or before update or patch, and the matches
      of var pii_keep_patterns are never masked.
    Order: var pii_extra_patterns first (a team's own ids win), then emails,
    cards, phones and IPv4 addresses (no phone form reads as an address,
    but the last four parts of 06.12.34.56.78 would read as one).
#}
{% macro pii_patterns() %}
    {%- set octet = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])' -%}
    {%- set patterns = [] -%}
    {%- for extra in var('pii_extra_patterns', []) -%}
        {%- if extra is not mapping or extra.get('name') is none
            or not extra.get('regex') -%}
            {{ exceptions.raise_compiler_error(
                "var pii_extra_patterns: each entry needs a name and a regex, got "
                ~ extra) }}
        {%- endif -%}
        {%- if not modules.re.fullmatch('[a-z][a-z0-9_]*', extra.name | string)
            or extra.name in ['email', 'card', 'ip', 'phone'] -%}
            {{ exceptions.raise_compiler_error(
                "var pii_extra_patterns: name '" ~ extra.name ~ "' must be lower "
                ~ "case letters, digits or _ and not email, card, ip or phone") }}
        {%- endif -%}
        {%- do patterns.append({'name': extra.name, 'pattern': extra.regex,
            'replacement': '<' ~ extra.name ~ '>', 'luhn': false}) -%}
    {%- endfor -%}
    {%- set builtin = [] -%}
    {%- do builtin.append({'name': 'email', 'luhn': false,
        'replacement': '<email>',
        'pattern': '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:[.][A-Za-z0-9-]+)*[.][A-Za-z]{2,}'}) -%}
    {%- do builtin.append({'name': 'card', 'luhn': true,
        'replacement': '<card>',
        'pattern': '\\b(?:[2-6][0-9]{12,18}'
            ~ '|[2-6][0-9]{3}(?: [0-9]{4}){3}|[2-6][0-9]{3}(?:-[0-9]{4}){3}'
            ~ '|3[47][0-9]{2} [0-9]{6} [0-9]{5}|3[47][0-9]{2}-[0-9]{6}-[0-9]{5})\\b'}) -%}
    {%- do builtin.append({'name': 'phone', 'luhn': false,
        'replacement': '<phone>',
        'pattern': '(?:[+][1-9](?:[ ().-]{0,2}[0-9]){7,14}'
            ~ '|[(][0-9]{2,5}[)] ?[0-9]{3,5}[ .-]?[0-9]{3,4}'
            ~ '|\\b(?:1-)?[0-9]{3}-[0-9]{3}-[0-9]{4}'
            ~ '|\\b(?:1[.])?[0-9]{3}[.][0-9]{3}[.][0-9]{4}'
            ~ '|\\b(?:1 )?[0-9]{3} [0-9]{3} [0-9]{4}'
            ~ '|\\b0[1-9](?: ?[0-9]){7,11}|\\b0[1-9](?:-?[0-9]){7,11}'
            ~ '|\\b0[1-9](?:[.]?[0-9]){7,11}|\\b0[1-9][0-9]{1,4}/[0-9]{6,9})\\b'}) -%}
    {%- do builtin.append({'name': 'ip', 'luhn': false,
        'replacement': '<ip>',
        'pattern': '\\b(?:' ~ octet ~ '[.]){3}' ~ octet ~ '\\b'}) -%}
    {%- set chosen = var('pii_builtin_patterns', ['email', 'card', 'ip', 'phone']) -%}
    {%- for name in chosen if name not in ['email', 'card', 'ip', 'phone'] -%}
        {{ exceptions.raise_compiler_error(
            "var pii_builtin_patterns: unknown kind '" ~ name
            ~ "'; the built-in kinds are email, card, ip and phone") }}
    {%- endfor -%}
    {{ return(patterns + builtin | selectattr('name', 'in', chosen) | list) }}
{% endmacro %}

{# One pattern of every text that is never masked: the built-in ones and the var's. #}
{% macro pii_keep_pattern() %}
    {%- set version = '[0-9]+(?:[.][0-9]+){3}' -%}
    {%- set keep = [
        '\\b(?:0|[1-9][0-9]*)(?:[.][0-9]+){4,}|[@-]' ~ version ~ '|' ~ version ~ '-[0-9A-Za-z]',
        '(?i)\\b(?:v|ver|version|build|release|rev|firmware|driver|patch'
            ~ '|client|app|launcher|chrome|firefox|edge|safari|opera|android|ios'
            ~ '|windows|macos|(?:updat|upgrad)(?:e|ed|ing) to)[ :=/]*v?' ~ version ~ '\\b',
        '(?i)\\b' ~ version ~ ' +(?:update|patch|release|build|hotfix)\\b',
    ] -%}
    {%- for regex in var('pii_keep_patterns', []) -%}
        {%- if regex is not string or not regex -%}
            {{ exceptions.raise_compiler_error(
                "var pii_keep_patterns: each entry must be a non-empty regex, got "
                ~ regex) }}
        {%- endif -%}
        {%- do keep.append(regex) -%}
    {%- endfor -%}
    {{ return('(?:' ~ keep | join(')|(?:') ~ ')') }}
{% endmacro %}

{% macro pii_card_token(match, context) -%}
    case when {{ luhn_valid(match) }} then '<card>' else {{ match }} end
{%- endmacro %}

{# Masks the patterns named in kinds (all when none) in text with no kept part. #}
{% macro pii_mask_outside_keep(expression, kinds) %}
    {%- set ns = namespace(sql=expression) -%}
    {%- for p in pii_patterns() if kinds is none or p.name in kinds -%}
        {%- if p.luhn -%}
            {%- set ns.sql = "case when " ~ regexp_contains(ns.sql, p.pattern)
                ~ " then " ~ regexp_map(ns.sql, p.pattern, 'pii_card', none, pii_card_token)
                ~ " else " ~ ns.sql ~ " end" -%}
        {%- else -%}
            {%- set ns.sql = regexp_replace_all(ns.sql, p.pattern, p.replacement) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(ns.sql) }}
{% endmacro %}

{#
    kinds: the pattern names to mask (all when none), so the pii_free test
    can say which kind it found.
#}
{% macro mask_pii(column, kinds=none) -%}
    {%- set keep = pii_keep_pattern() -%}
    case
        when {{ regexp_contains(column, keep) }}
            then {{ regexp_map(column, keep, 'pii_part', pii_mask_outside_keep, none, kinds) }}
        else {{ pii_mask_outside_keep(column, kinds) }}
    end
{%- endmacro %}

{# True where an expression still holds personal data: masking would change it. #}
{% macro contains_pii(expression, kinds=none) %}
    coalesce({{ mask_pii(expression, kinds) }} <> {{ expression }}, false)
{% endmacro %}
