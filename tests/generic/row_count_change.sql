{#
    A dataset that grows or shrinks a lot between builds points at a join
    that fans out or a filter that went wrong. Returns one row when the
    relative change of the row count against a reference relation is above
    max_change. Warns by default; passes, logging that it was skipped, with
    no reference.
#}
{% test row_count_change(model, reference=none, max_change=0.2) %}

{{ config(severity='warn') }}

{%- if not reference %}
    {%- if execute %}{% do log(
        "row_count_change on " ~ model ~ ": skipped, no reference relation "
        ~ "configured", info=true) %}{% endif -%}
    select 1 as skipped where 1 = 0
{%- else %}

with

counts as (
    select
        (select count(*) from {{ model }}) as current_rows,
        (select count(*) from {{ reference }}) as reference_rows
)

select
    counts.current_rows,
    counts.reference_rows,
    abs(counts.current_rows - counts.reference_rows)
    / cast(greatest(counts.reference_rows, 1) as double) as relative_change
from counts
where
    abs(counts.current_rows - counts.reference_rows)
    > {{ max_change }} * greatest(counts.reference_rows, 1)

{%- endif %}

{% endtest %}
