{#
    A text in another language than its row's language column says (a
    player who set English but writes Spanish, or a mislabelled locale)
    misleads a per-language model and per-language evaluation. Detects the
    language of each text of at least min_length characters with a
    language given (detect_language, py3langid) and warns when the texts
    whose detected language differs from the given one are more than
    max_fraction of the texts checked; it then lists them, cut to 100
    characters. At most about max_rows texts are checked: a deterministic
    sample by the hash of the text, so a build of 1M rows stays fast.
    On Spark no language is detected (macros/detect_language.sql): it passes.
#}
{% test language_mismatch(
    model, column_name, language_column='language',
    max_fraction=0.05, min_length=20, max_rows=20000
) %}

{{ config(severity='warn') }}

with

texts as (
    select
        {{ column_name }} as text_value,
        -- A locale (es-MX, pt_BR) is compared by its language part.
        {{ regexp_replace_all('lower(' ~ language_column ~ ')', '[-_].*', '') }}
            as given_language
    from {{ model }}
    where
        {{ column_name }} is not null
        and {{ language_column }} is not null
        and length({{ column_name }}) >= {{ min_length }}
),

sampled as (
    select texts.*
    from texts
    where
        {{ hash_fraction('texts.text_value') }}
        < {{ max_rows }} / cast((select count(*) from texts) as double)
),

-- Computed once: the detected language is read twice below, and DuckDB
-- would otherwise call the Python function for each read.
detected as {{ materialized_cte() }} (
    select
        sampled.text_value,
        sampled.given_language,
        {{ detect_language('sampled.text_value') }} as detected_language
    from sampled
),

compared as (
    select
        detected.*,
        sum(
            case
                when detected.detected_language <> detected.given_language
                    then 1
                else 0
            end
        ) over () / cast(count(*) over () as double) as mismatch_share
    from detected
    where detected.detected_language is not null
),

mismatches as (
    select
        substr(compared.text_value, 1, 100) as text_start,
        compared.given_language,
        compared.detected_language,
        compared.mismatch_share
    from compared
    where
        compared.detected_language <> compared.given_language
        and compared.mismatch_share > {{ max_fraction }}
)

select * from mismatches

{% endtest %}
