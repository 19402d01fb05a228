{#
    Near-identical inputs with different labels: no_conflicting_labels
    for texts that differ by a few words. Lists each pair of texts, in the
    same split or not, whose word-shingle Jaccard similarity on the
    stronger text key is >= threshold (macros/near_duplicates.sql) and
    whose labels differ: both ids, splits and labels, and the similarity
    (1 for the same text under two labels). Warns on any; errors when the
    rows of such texts exceed max_fraction of all rows.
#}
{% test no_near_conflicting_labels(
    model, columns, id_column, label_column, split_column='split',
    threshold=0.8, shingle=3, max_fraction=0.02,
    bands=4, rows=8, window=4
) %}

{{ config(
    severity='error',
    fail_calc='coalesce(max(conflicting_rows), 0)',
    warn_if='> 0',
    error_if='> 0 and max(share_of_rows) > ' ~ max_fraction,
) }}

with

keyed as (
    select
        cast({{ id_column }} as {{ dbt.type_string() }}) as row_id,
        cast({{ split_column }} as {{ dbt.type_string() }}) as split_name,
        cast({{ label_column }} as {{ dbt.type_string() }}) as label_value,
        {{ text_key(columns, strip_accents=true, fold_punctuation=true) }}
            as text_key
    from {{ model }}
),

hashed as (
    select
        keyed.row_id,
        keyed.split_name,
        keyed.label_value,
        keyed.text_key,
        {{ hash64(['keyed.text_key']) }} as text_hash
    from keyed
),

{{ near_duplicate_pairs(
    'hashed', threshold, shingle, bands, rows, window, group_column='label_value'
) }}

labelled_texts as (
    select
        hashed.text_hash,
        hashed.label_value,
        min(hashed.row_id) as row_id,
        min_by(hashed.split_name, hashed.row_id) as split_name,
        count(*) as text_rows
    from hashed
    group by hashed.text_hash, hashed.label_value
),

-- Each pair once, and each text with itself (one text, two labels).
similar_texts as (
    select
        near_duplicate_pairs.text_hash_a,
        near_duplicate_pairs.text_hash_b,
        near_duplicate_pairs.similarity
    from near_duplicate_pairs
    union all
    select
        near_duplicate_texts.text_hash as text_hash_a,
        near_duplicate_texts.text_hash as text_hash_b,
        1.0 as similarity
    from near_duplicate_texts
),

conflicts as (
    select
        text_a.row_id,
        text_a.split_name,
        text_a.label_value,
        text_b.row_id as other_row_id,
        text_b.split_name as other_split_name,
        text_b.label_value as other_label_value,
        similar_texts.similarity,
        text_a.text_hash,
        text_b.text_hash as other_hash,
        text_a.text_rows,
        text_b.text_rows as other_text_rows
    from similar_texts
    inner join labelled_texts as text_a
        on similar_texts.text_hash_a = text_a.text_hash
    inner join labelled_texts as text_b
        on
            similar_texts.text_hash_b = text_b.text_hash
            and text_a.label_value <> text_b.label_value
    -- A text with itself: each two labels once.
    where
        similar_texts.text_hash_a <> similar_texts.text_hash_b
        or text_a.label_value < text_b.label_value
),

-- The rows of every text and label in a conflict, each counted once.
conflicting_texts as (
    select
        conflicts.text_hash,
        conflicts.label_value,
        conflicts.text_rows
    from conflicts
    union
    select
        conflicts.other_hash as text_hash,
        conflicts.other_label_value as label_value,
        conflicts.other_text_rows as text_rows
    from conflicts
),

conflict_total as (
    select sum(conflicting_texts.text_rows) as conflicting_rows
    from conflicting_texts
),

reported as (
    select
        conflicts.row_id,
        conflicts.split_name,
        conflicts.label_value,
        conflicts.other_row_id,
        conflicts.other_split_name,
        conflicts.other_label_value,
        conflicts.similarity,
        conflict_total.conflicting_rows,
        conflict_total.conflicting_rows
        / cast((select count(*) from keyed) as double) as share_of_rows
    from conflicts
    cross join conflict_total
)

select * from reported

{% endtest %}
