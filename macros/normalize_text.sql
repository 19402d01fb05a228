{#
    The text key that the duplicate and conflict tests compare: lower case,
    trimmed, runs of whitespace collapsed to one space. Masked tokens such as
    <email> stay, so two messages that differ only in an address match.
    With several columns the key is their normalized concatenation.

    Two options make a stronger key (the near-duplicate tests use both,
    as Deepchecks normalises by default): strip_accents (é to e) and
    fold_punctuation (each run of ASCII punctuation becomes one space, so
    "refund!!" and "refund ." match). Off by default: the exact tests'
    key stays as it was.
#}
{% macro normalize_text(expression, strip_accents=false, fold_punctuation=false) -%}
    {%- if fold_punctuation -%}
        {#- The fold and the trim after it take whitespace at the ends
            too: no trim_whitespace first. -#}
        {%- set value = 'lower(' ~ expression ~ ')' -%}
    {%- else -%}
        {%- set value = 'lower(' ~ trim_whitespace(expression) ~ ')' -%}
    {%- endif -%}
    {%- if strip_accents -%}
        {%- set value = strip_accents_sql(value) -%}
    {%- endif -%}
    {%- if fold_punctuation -%}
        {#- One pass for punctuation and whitespace runs alike (a regex
            pass is most of the key's cost); a run at either end leaves a
            space there, so a trim of spaces follows. -#}
        {%- set value = regexp_replace_all(value, punctuation_pattern(), ' ') -%}
        {%- set value = trim_spaces(value) -%}
    {%- else -%}
        {%- set value = regexp_replace_all(
            value, foldable_run('[:space:]', '\\t\\n\\x0b\\f\\r'), ' '
        ) -%}
    {%- endif -%}
    {{ value }}
{%- endmacro %}

{% macro text_key(columns, normalize=true, strip_accents=false, fold_punctuation=false) -%}
    {%- set parts = [] -%}
    {%- for column in ([columns] if columns is string else columns) -%}
        {%- set value = "coalesce(" ~ column ~ ", '')" -%}
        {%- do parts.append(
            normalize_text(value, strip_accents, fold_punctuation) if normalize else value
        ) -%}
    {%- endfor -%}
    {%- if parts | length == 1 -%}
        {{ parts[0] }}
    {%- else -%}
        concat_ws(' | ', {{ parts | join(', ') }})
    {%- endif -%}
{%- endmacro %}

{#- A run of ASCII punctuation (! to /, : to @, [ to `, { to ~) and
    whitespace (the six characters of [[:space:]], spelt out: the POSIX
    class cannot sit inside another bracket on Spark). -#}
{% macro punctuation_pattern() -%}
    {{ foldable_run('!-/:-@\\[-`{-~ \\t\\n\\x0b\\f\\r', '!-/:-@\\[-`{-~\\t\\n\\x0b\\f\\r') }}
{%- endmacro %}

{#- A run of the characters `chars` (a bracket expression's inside, space
    among them) that folding to one space would change: one that holds a
    character of `not_space` (the same less the space), or two spaces or
    more. A single space is no match, so the engine rewrites the few runs
    that need it, not every gap between words: the same result, three to
    seven times faster at 1M tickets (docs/benchmarks.md). Both engines
    take the leftmost alternative and extend it to the whole run. -#}
{% macro foldable_run(chars, not_space) -%}
    [{{ chars }}]*[{{ not_space }}][{{ chars }}]*| {2,}
{%- endmacro %}

{# Accented Latin letters to their base letter. Dispatched. #}
{% macro strip_accents_sql(expression) %}
    {{ return(adapter.dispatch('strip_accents_sql', 'trainset')(expression)) }}
{% endmacro %}

{% macro duckdb__strip_accents_sql(expression) -%}
    strip_accents({{ expression }})
{%- endmacro %}

{#- Spark has no strip_accents: translate the Latin-1 and Latin
    Extended-A letters that occur in the languages we meet (lower case:
    the key is lower-cased first). -#}
{% macro spark__strip_accents_sql(expression) -%}
    translate(
        {{ expression }},
        'àáâãäåāăąçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňòóôõöøōŏőŕŗřśŝşšţťŧùúûüũūŭůűųŵýÿŷźżž',
        'aaaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiijklllllnnnnooooooooorrrsssstttuuuuuuuuuuwyyyzzz'
    )
{%- endmacro %}
