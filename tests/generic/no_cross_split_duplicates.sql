{#
    The same text in train and test inflates test scores: the model has
    seen the answer. Lists each normalized text (of one or more columns)
    that sits in a later split (validation, test) while it also appears in an
    earlier one (train before validation before test), with the row count
    in the later split. Warns on any; errors when duplicates exceed
    max_fraction of a later split's rows.
#}
{% test no_cross_split_duplicates(
    model, columns, split_column='split', normalize=true,
    max_fraction=0.01, splits=['train', 'validation', 'test']
) %}

{{ config(
    severity='error',
    fail_calc='coalesce(sum(duplicate_rows), 0)',
    warn_if='> 0',
    error_if='> 0 and max(share_of_split) > ' ~ max_fraction,
) }}

with

keyed as (
    select
        {{ text_key(columns, normalize) }} as text_key,
        {{ split_column }} as split_name,
        {{ split_rank(split_column, splits) }} as split_rank
    from {{ model }}
),

-- Texts in two splits or more, found by hash first (macros/key_hashes.sql).
hashes_across_splits as (
    {{ key_hashes(
        'keyed', 'keyed.text_key', 'min(keyed.split_rank) < max(keyed.split_rank)'
    ) }}
),

ranked as (
    select
        keyed.text_key,
        keyed.split_name,
        keyed.split_rank,
        min(keyed.split_rank) over (partition by keyed.text_key)
            as first_split_rank
    from keyed
    where {{ key_hash_in('keyed.text_key', 'hashes_across_splits') }}
),

split_sizes as (
    select
        keyed.split_name,
        count(*) as split_rows
    from keyed
    group by keyed.split_name
),

duplicates as (
    select
        ranked.text_key,
        ranked.split_name,
        min(ranked.first_split_rank) as first_split_rank,
        count(*) as duplicate_rows
    from ranked
    where ranked.split_rank > ranked.first_split_rank
    group by ranked.text_key, ranked.split_name
),

reported as (
    select
        duplicates.split_name,
        case duplicates.first_split_rank
            {%- for split in splits %}
            when {{ loop.index }} then '{{ split }}'
            {%- endfor %}
        end as also_in_split,
        duplicates.text_key,
        duplicates.duplicate_rows,
        sum(duplicates.duplicate_rows) over (
            partition by duplicates.split_name
        ) / cast(split_sizes.split_rows as double) as share_of_split
    from duplicates
    inner join split_sizes
        on duplicates.split_name = split_sizes.split_name
)

select * from reported

{% endtest %}
