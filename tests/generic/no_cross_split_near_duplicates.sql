{#
    A test text that is a train text with a line edited is as much a leak
    as an exact copy. Lists each text of a later split (validation, test)
    that has a near-duplicate in an earlier one: word-shingle Jaccard
    similarity >= threshold on the stronger text key (accents stripped,
    punctuation folded), found by MinHash banding and verified exactly
    (macros/near_duplicates.sql). One row per text and split: its id (the
    least of its rows), the id and split of its closest earlier match, the
    similarity and its row count. Warns on any; errors when such rows
    exceed max_fraction of a later split's rows.
#}
{% test no_cross_split_near_duplicates(
    model, columns, id_column, split_column='split', threshold=0.8,
    shingle=3, max_fraction=0.01, splits=['train', 'validation', 'test'],
    bands=4, rows=8, window=4
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
        cast({{ id_column }} as {{ dbt.type_string() }}) as row_id,
        {{ split_column }} as split_name,
        {{ split_rank(split_column, splits) }} as split_rank,
        {{ text_key(columns, strip_accents=true, fold_punctuation=true) }}
            as text_key
    from {{ model }}
),

hashed as (
    select
        keyed.row_id,
        keyed.split_name,
        keyed.split_rank,
        keyed.text_key,
        {{ hash64(['keyed.text_key']) }} as text_hash
    from keyed
    where keyed.split_rank is not null
),

{{ near_duplicate_pairs(
    'hashed', threshold, shingle, bands, rows, window, group_column='split_rank'
) }}

texts_in_splits as (
    select
        hashed.text_hash,
        hashed.split_name,
        hashed.split_rank,
        min(hashed.row_id) as row_id,
        count(*) as text_rows
    from hashed
    group by hashed.text_hash, hashed.split_name, hashed.split_rank
),

split_sizes as (
    select
        hashed.split_name,
        count(*) as split_rows
    from hashed
    group by hashed.split_name
),

-- Both orders of each pair, and each text with itself (the same text
-- in two splits).
similar_texts as (
    select
        near_duplicate_pairs.text_hash_a as text_hash,
        near_duplicate_pairs.text_hash_b as other_hash,
        near_duplicate_pairs.similarity
    from near_duplicate_pairs
    union all
    select
        near_duplicate_pairs.text_hash_b as text_hash,
        near_duplicate_pairs.text_hash_a as other_hash,
        near_duplicate_pairs.similarity
    from near_duplicate_pairs
    union all
    select
        near_duplicate_texts.text_hash,
        near_duplicate_texts.text_hash as other_hash,
        1.0 as similarity
    from near_duplicate_texts
),

matches as (
    select
        later.row_id,
        later.split_name,
        earlier.row_id as other_row_id,
        earlier.split_name as other_split_name,
        similar_texts.similarity,
        later.text_rows as duplicate_rows,
        row_number() over (
            partition by later.text_hash, later.split_name
            order by
                similar_texts.similarity desc,
                earlier.split_rank asc,
                earlier.row_id asc
        ) as match_rank
    from similar_texts
    inner join texts_in_splits as later
        on similar_texts.text_hash = later.text_hash
    inner join texts_in_splits as earlier
        on
            similar_texts.other_hash = earlier.text_hash
            and earlier.split_rank < later.split_rank
),

reported as (
    select
        matches.row_id,
        matches.split_name,
        matches.other_row_id,
        matches.other_split_name,
        matches.similarity,
        matches.duplicate_rows,
        sum(matches.duplicate_rows) over (
            partition by matches.split_name
        ) / cast(split_sizes.split_rows as double) as share_of_split
    from matches
    inner join split_sizes
        on matches.split_name = split_sizes.split_name
    where matches.match_rank = 1
)

select * from reported

{% endtest %}
