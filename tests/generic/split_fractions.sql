{#
    Split fractions that drift (a changed salt, a skewed key, a filter that
    hits one split) make metrics incomparable between builds. Lists each
    split whose share of rows is more than tolerance away from its expected
    fraction, once the dataset has at least min_rows rows. The expected
    fractions default to the vars split_train_fraction,
    split_validation_fraction and split_test_fraction.
#}
{% test split_fractions(
    model, column_name, fractions=none, tolerance=0.05, min_rows=1000
) %}

{%- set expected = fractions if fractions is not none else {
    'train': var('split_train_fraction'),
    'validation': var('split_validation_fraction'),
    'test': var('split_test_fraction'),
} -%}

with

expected as (
    {%- for split, fraction in expected.items() %}
    select
        '{{ split }}' as split_name,
        cast({{ fraction }} as double) as expected_share
    {{- " union all" if not loop.last }}
    {%- endfor %}
),

total as (
    select count(*) as total_rows from {{ model }}
),

actual as (
    select
        {{ column_name }} as split_name,
        count(*) as split_rows
    from {{ model }}
    group by {{ column_name }}
),

reported as (
    select
        coalesce(expected.split_name, actual.split_name) as split_name,
        coalesce(actual.split_rows, 0) as split_rows,
        coalesce(actual.split_rows, 0)
        / cast(total.total_rows as double) as actual_share,
        coalesce(expected.expected_share, 0) as expected_share
    from expected
    full outer join actual
        on expected.split_name = actual.split_name
    cross join total
    where total.total_rows >= {{ min_rows }}
)

select * from reported
where abs(actual_share - expected_share) > {{ tolerance }}

{% endtest %}
