{#
    The values_mapped test's rows: one per unmapped value, with its row
    count and the unmapped share of all the model's rows.
#}
{% macro values_mapped_rows(model, column_name, to, field) %}
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
{% endmacro %}
