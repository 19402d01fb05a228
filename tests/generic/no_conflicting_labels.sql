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

-- Texts under two labels or more, found by hash first (macros/key_hashes.sql).
conflicting_hashes as (
    -- A null label counts as one, as in the exact grouping below.
    {{ key_hashes(
        'keyed', 'keyed.text_key',
        'count(distinct keyed.label_value)'
        ~ ' + max(case when keyed.label_value is null then 1 else 0 end) > 1'
    ) }}
),

label_counts as (
    select
        keyed.text_key,
        keyed.label_value,
        count(*) as label_rows
    from keyed
    where {{ key_hash_in('keyed.text_key', 'conflicting_hashes') }}
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
