{#
    A class missing from a split cannot be evaluated there, and a class with
    a handful of rows gives a meaningless F1. Lists each label present in
    the dataset that has fewer than min_rows rows in some split (zero
    included). Errors by default; min_rows defaults to var
    min_rows_per_label (5).
#}
{% test min_rows_per_label(
    model, column_name, split_column='split', min_rows=none,
    splits=['train', 'validation', 'test']
) %}

{%- set minimum = min_rows if min_rows is not none
    else var('min_rows_per_label', 5) -%}

with

labels as (
    select distinct {{ column_name }} as label_value
    from {{ model }}
    where {{ column_name }} is not null
),

splits as (
    {%- for split in splits %}
    select '{{ split }}' as split_name
    {{- " union all" if not loop.last }}
    {%- endfor %}
),

counts as (
    select
        {{ column_name }} as label_value,
        {{ split_column }} as split_name,
        count(*) as label_rows
    from {{ model }}
    group by {{ column_name }}, {{ split_column }}
),

reported as (
    select
        labels.label_value,
        splits.split_name,
        coalesce(counts.label_rows, 0) as label_rows,
        {{ minimum }} as min_rows
    from labels
    cross join splits
    left join counts
        on
            labels.label_value = counts.label_value
            and splits.split_name = counts.split_name
    where coalesce(counts.label_rows, 0) < {{ minimum }}
)

select * from reported

{% endtest %}
