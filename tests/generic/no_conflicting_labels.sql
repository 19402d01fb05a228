{#
    Identical inputs with different labels: the model is asked to learn a
    coin toss, and a test set scores noise. Lists each normalized text (of
    one or more columns) that carries more than one label, with the labels
    and their counts. Warns on any; errors when the rows in conflicting
    groups exceed max_fraction of all rows.
#}
{% test no_conflicting_labels(
    model, columns, label_column, normalize=true, max_fraction=0.02
) %}

{{ config(
    severity='error',
    fail_calc='coalesce(sum(group_rows), 0)',
    warn_if='> 0',
    error_if='> 0 and max(share_of_rows) > ' ~ max_fraction,
) }}

with

keyed as (
    select
        {{ text_key(columns, normalize) }} as text_key,
        cast({{ label_column }} as {{ dbt.type_string() }}) as label_value
    from {{ model }}
),

-- Texts are grouped by their key's hash first, a fixed-width key, and
-- only the rows of a hash under two labels or more are grouped again by
-- the text itself: a text with two labels has a hash with two, so nothing
-- is missed, and a colliding pair of texts comes apart in the second
-- grouping. Grouping every row by the text itself took 2.4 to 2.8 times as long
-- at 10M tickets (docs/benchmarks.md).
hashed_labels as (
    select
        {{ hash64(['keyed.text_key']) }} as key_hash,
        keyed.label_value
    from keyed
    group by {{ hash64(['keyed.text_key']) }}, keyed.label_value
),

conflicting_hashes as (
    select hashed_labels.key_hash
    from hashed_labels
    group by hashed_labels.key_hash
    having count(*) > 1
),

label_counts as (
    select
        keyed.text_key,
        keyed.label_value,
        count(*) as label_rows
    from keyed
    where {{ hash64(['keyed.text_key']) }} in (
        select conflicting_hashes.key_hash from conflicting_hashes
    )
    group by keyed.text_key, keyed.label_value
),

conflicts as (
    select
        label_counts.text_key,
        count(*) as distinct_labels,
        sum(label_counts.label_rows) as group_rows,
        {{ string_agg_sorted(
            "label_counts.label_value || ' (' || cast(label_counts.label_rows as "
            ~ dbt.type_string() ~ ") || ')'"
        ) }} as labels
    from label_counts
    group by label_counts.text_key
    having count(*) > 1
),

reported as (
    select
        conflicts.text_key,
        conflicts.labels,
        conflicts.distinct_labels,
        conflicts.group_rows,
        sum(conflicts.group_rows) over ()
        / cast((select count(*) from keyed) as double) as share_of_rows
    from conflicts
)

select * from reported

{% endtest %}
