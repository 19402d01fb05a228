{#
    Quarantine is visible: warns when a staging table rejected any raw row,
    and errors when the rejected share of the table's rows is above
    max_fraction (default: var max_rejected_fraction, 1%). Applied to a
    base_ model; lists each reject_reason with its row count and share.
    The rejected rows are the base model's own (quarantine_status
    rejected) and, given `accepted` (the staging model cut from it), the
    base-accepted rows staging leaves out as dangling references. It reads
    accepted rather than the *_rejected view so that, in dbt build, an error
    here skips every model downstream of staging, the datasets included
    (dbt skips only the children that read all of a test's parents).
#}
{% test rejected_rows_within(model, max_fraction=none, accepted=none) %}

{%- set limit = max_fraction if max_fraction is not none
    else var('max_rejected_fraction') -%}
{{ config(
    severity='error',
    fail_calc='coalesce(sum(rejected_rows), 0)',
    warn_if='> 0',
    error_if='> 0 and max(rejected_share) > ' ~ limit,
) }}

with

table_rows as (
    select count(*) as table_rows from {{ model }}
),

rejected as (
    select
        reject_reason,
        count(*) as rejected_rows
    from {{ model }}
    where quarantine_status = 'rejected'
    group by reject_reason
    {%- if accepted is not none %}
    union all
    select
        'dangling_reference' as reject_reason,
        (
            select count(*) from {{ model }}
            where quarantine_status = 'accepted'
        ) - (select count(*) from {{ accepted }}) as rejected_rows
    having rejected_rows > 0
    {%- endif %}
),

reported as (
    select
        rejected.reject_reason,
        rejected.rejected_rows,
        sum(rejected.rejected_rows) over ()
        / cast(table_rows.table_rows as double) as rejected_share
    from rejected
    cross join table_rows
)

select * from reported

{% endtest %}
