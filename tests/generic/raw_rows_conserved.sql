{#
    Nothing is lost in staging: every raw record of raw_table (read by its
    raw_columns, by default the table's columns in the desk sources) is
    accepted (in
    `accepted`), rejected (in `rejected`) or a collapsed duplicate (counted
    on the model, by its quarantine_status). Returns one row when the counts
    do not add up. On the incremental path raw_table holds only the delta,
    so only the rows this invocation loaded are counted: run the test in
    the same `dbt build` as the load.
#}
{% test raw_rows_conserved(model, raw_table, accepted, rejected, raw_columns=none) %}

with

{%- set raw_columns = raw_table_columns(raw_table) if raw_columns is none else raw_columns %}

raw_rows as (
    -- Counting a value of every column makes the reader decode every field,
    -- so a record it cannot read is never counted as read.
    select
        count(
            concat_ws('|', raw_read_error
                {%- for column in raw_columns %}, {{ column }}{% endfor %})
        ) as raw_rows
    from ({{ read_raw_table(raw_table, raw_columns) }}) as raw_table
),

{#- On the incremental path, only the rows of this invocation's load. -#}
{%- set this_load = "loaded_at = " ~ loaded_at() if var('incremental', false) else "true" %}

accepted_rows as (
    select count(*) as accepted_rows from {{ accepted }}
    where {{ this_load }}
),

rejected_rows as (
    select count(*) as rejected_rows from {{ rejected }}
    where {{ this_load }}
),

collapsed_rows as (
    select count(*) as collapsed_duplicate_rows
    from {{ model }}
    where
        quarantine_status = 'collapsed_duplicate'
        and {{ this_load }}
),

balance as (
    select
        raw_rows.raw_rows,
        accepted_rows.accepted_rows,
        rejected_rows.rejected_rows,
        collapsed_rows.collapsed_duplicate_rows,
        raw_rows.raw_rows
        - accepted_rows.accepted_rows
        - rejected_rows.rejected_rows
        - collapsed_rows.collapsed_duplicate_rows as unaccounted_rows
    from raw_rows
    cross join accepted_rows
    cross join rejected_rows
    cross join collapsed_rows
)

select * from balance
where unaccounted_rows <> 0

{% endtest %}
