{#
    Under a time split, every validation row is at least as new as the
    newest train row, and every test row at least as new as the newest
    validation row: otherwise the evaluation sees the past. Lists each
    later split whose oldest row is older than the newest row of the split
    before it.
#}
{% test split_time_order(model, column_name, split_column='split') %}

with

split_bounds as (
    select
        {{ split_column }} as split_name,
        min({{ column_name }}) as oldest,
        max({{ column_name }}) as newest
    from {{ model }}
    group by {{ split_column }}
),

out_of_order as (
    select
        later.split_name,
        later.oldest,
        earlier.split_name as earlier_split,
        earlier.newest as earlier_newest
    from split_bounds as later
    inner join split_bounds as earlier
        on
            (earlier.split_name = 'train' and later.split_name = 'validation')
            or (earlier.split_name = 'validation' and later.split_name = 'test')
    where later.oldest < earlier.newest
)

select * from out_of_order

{% endtest %}
