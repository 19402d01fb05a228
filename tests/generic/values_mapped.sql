{#
    Every value of column_name is mapped by a lookup relation (`to`, on
    `field`). Lists each unmapped value with its row count; warns on any and
    errors when the unmapped share of the model's rows is above
    max_fraction. On ticket_triage's final resolutions it finds resolution
    codes missing from the taxonomy; the tickets that carry them are left out
    of the dataset, never given a null label.
#}
{% test values_mapped(model, column_name, to, field, max_fraction=0.01) %}

{{ config(
    severity='error',
    fail_calc='coalesce(sum(unmapped_rows), 0)',
    warn_if='> 0',
    error_if='> 0 and max(unmapped_share) > ' ~ max_fraction,
) }}

with

tested as (
    select * from {{ model }}
),

model_rows as (
    select count(*) as model_rows from tested
),

unmapped as (
    select
        tested.{{ column_name }} as unmapped_value,
        count(*) as unmapped_rows
    from tested
    left join {{ to }} as lookup
        on tested.{{ column_name }} = lookup.{{ field }}
    where
        tested.{{ column_name }} is not null
        and lookup.{{ field }} is null
    group by tested.{{ column_name }}
),

reported as (
    select
        unmapped.unmapped_value,
        unmapped.unmapped_rows,
        sum(unmapped.unmapped_rows) over ()
        / cast(model_rows.model_rows as double) as unmapped_share
    from unmapped
    cross join model_rows
)

select * from reported

{% endtest %}
