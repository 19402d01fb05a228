{#
    Splits come from a salted hash bucket of a key (hash_fraction), so the
    same key always lands in the same split and adding keys never moves an
    existing one. split_hash gives the bucket; split_from_hash cuts it at the
    cumulative fractions. Fractions and salt are vars.
#}
{% macro split_hash(key_expression) %}
    {{- hash_fraction("'" ~ var('split_salt') ~ "|' || " ~ key_expression) -}}
{% endmacro %}

{% macro split_from_hash(hash_column) %}
    {%- set train = var('split_train_fraction') | float -%}
    {%- set validation = var('split_validation_fraction') | float -%}
    {%- set test = var('split_test_fraction') | float -%}
    {%- if (train + validation + test - 1.0) | abs > 0.000001 -%}
        {{ exceptions.raise_compiler_error(
            "split fractions must add up to 1, got train " ~ train
            ~ " + validation " ~ validation ~ " + test " ~ test) }}
    {%- endif -%}
    case
        when {{ hash_column }} < {{ train }} then 'train'
        when {{ hash_column }} < {{ train + validation }} then 'validation'
        else 'test'
    end
{% endmacro %}

{#
    split_strategy time: train before the validation start, validation
    before the test start, test from then on. A start is the var
    (split_validation_start, split_test_start: a date or a timestamp) or,
    when the var is empty, the point of the as_of range at the cumulative
    split fraction (0.8 and 0.9 by default). Compared as epoch seconds, the
    same on every engine. The bounds relation has one row: first_seconds
    and span_seconds of the as_of column (split_time_range).
#}
{% macro split_strategy() %}
    {%- set strategy = var('split_strategy', 'player_hash') -%}
    {%- if strategy not in ['player_hash', 'time'] -%}
        {{ exceptions.raise_compiler_error(
            "var split_strategy is '" ~ strategy ~ "': use player_hash or time") }}
    {%- endif -%}
    {{ return(strategy) }}
{% endmacro %}

{% macro split_time_range(as_of_column) -%}
    min({{ epoch_seconds(as_of_column) }}) as first_seconds,
    max({{ epoch_seconds(as_of_column) }})
    - min({{ epoch_seconds(as_of_column) }}) as span_seconds
{%- endmacro %}

{% macro split_start_seconds(var_name, fraction, bounds) %}
    {%- set value = var(var_name, '') | string | trim -%}
    {%- if value == '' -%}
        ({{ bounds }}.first_seconds + {{ fraction }} * {{ bounds }}.span_seconds)
    {%- elif modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2})?)?$', value) -%}
        {{ epoch_seconds("cast('" ~ value ~ "' as timestamp)") }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ var_name ~ " is '" ~ value
            ~ "': give a date (2024-06-01) or a timestamp (2024-06-01 12:00:00)") }}
    {%- endif -%}
{% endmacro %}

{% macro split_from_time(as_of_column, bounds) %}
    {%- set train = var('split_train_fraction') | float -%}
    {%- set validation = var('split_validation_fraction') | float -%}
    {%- set starts = [var('split_validation_start', ''), var('split_test_start', '')] -%}
    {%- if starts[0] and starts[1] and (starts[0] | string) > (starts[1] | string) -%}
        {{ exceptions.raise_compiler_error(
            "var split_validation_start (" ~ starts[0] ~ ") is after split_test_start ("
            ~ starts[1] ~ ")") }}
    {%- endif -%}
    case
        when {{ epoch_seconds(as_of_column) }}
            < {{ split_start_seconds('split_validation_start', train, bounds) }}
            then 'train'
        when {{ epoch_seconds(as_of_column) }}
            < {{ split_start_seconds('split_test_start', train + validation, bounds) }}
            then 'validation'
        else 'test'
    end
{% endmacro %}

{#
    Per later split (not train): its rows, and how many of them belong to
    an entity (a player) that also has train rows. Under a time split the
    same player sits in train and test; the share says how much.
#}
{% macro split_overlap_shares(relation, split_column, entity_column) %}
with

split_rows as (
    select
        {{ split_column }} as split_name,
        {{ entity_column }} as entity
    from {{ relation }}
),

train_entities as (
    select distinct split_rows.entity
    from split_rows
    where split_rows.split_name = 'train'
),

shares as (
    select
        split_rows.split_name,
        count(*) as split_rows,
        count(train_entities.entity) as overlapping_rows,
        count(train_entities.entity) / cast(count(*) as double)
            as overlap_share
    from split_rows
    left join train_entities
        on split_rows.entity = train_entities.entity
    where split_rows.split_name <> 'train'
    group by split_rows.split_name
)

select * from shares
{% endmacro %}
