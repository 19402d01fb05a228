{#
    Quarantine is visible: warns when a staging table rejected any raw row,
    and errors when the rejected share of the table's rows is above
    max_fraction (default: var max_rejected_fraction, 1%). Applied to a
    base_ model; lists each reject_reason with its row count and share.
    The rejected rows are the base model's own (quarantine_status
    rejected), or those of `rejected`, a *_rejected view with reject_reason,
    where staging rejects more (dangling references).
#}
{% test rejected_rows_within(model, max_fraction=none, rejected=none) %}

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
    {%- if rejected is none %}
    from {{ model }}
    where quarantine_status = 'rejected'
    {%- else %}
    from {{ rejected }}
    {%- endif %}
    group by reject_reason
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
