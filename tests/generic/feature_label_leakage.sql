{#
    A feature that is really a copy of the label (a queue name set by the
    agent, a status that encodes the outcome) gives a perfect model that
    fails in production. For each categorical feature it predicts the label
    of validation and test rows as the majority label of the feature's value
    in train (the overall train majority for unseen values), and lists the
    features whose accuracy is above max_accuracy. Warns by default.
#}
{% test feature_label_leakage(
    model, label_column, columns, split_column='split', max_accuracy=0.95,
    train_split='train'
) %}

{{ config(severity='warn') }}

with

long_form as (
    {%- for column in columns %}
    select
        '{{ column }}' as feature_name,
        coalesce(cast({{ column }} as {{ dbt.type_string() }}), '<null>')
            as feature_value,
        cast({{ label_column }} as {{ dbt.type_string() }}) as label_value,
        {{ split_column }} = '{{ train_split }}' as is_train
    from {{ model }}
    {{- " union all" if not loop.last }}
    {%- endfor %}
),

train_counts as (
    select
        long_form.feature_name,
        long_form.feature_value,
        long_form.label_value,
        count(*) as label_rows
    from long_form
    where long_form.is_train
    group by
        long_form.feature_name,
        long_form.feature_value,
        long_form.label_value
),

value_majority as (
    select
        ranked.feature_name,
        ranked.feature_value,
        ranked.label_value as predicted_label
    from (
        select
            train_counts.*,
            row_number() over (
                partition by
                    train_counts.feature_name, train_counts.feature_value
                order by
                    train_counts.label_rows desc, train_counts.label_value
            ) as label_rank
        from train_counts
    ) as ranked
    where ranked.label_rank = 1
),

overall_majority as (
    select
        ranked.feature_name,
        ranked.label_value as predicted_label
    from (
        select
            train_counts.feature_name,
            train_counts.label_value,
            row_number() over (
                partition by train_counts.feature_name
                order by sum(train_counts.label_rows) desc,
                    train_counts.label_value
            ) as label_rank
        from train_counts
        group by train_counts.feature_name, train_counts.label_value
    ) as ranked
    where ranked.label_rank = 1
),

scored as (
    select
        long_form.feature_name,
        count(*) as evaluated_rows,
        sum(
            case
                when
                    long_form.label_value = coalesce(
                        value_majority.predicted_label,
                        overall_majority.predicted_label
                    )
                    then 1
                else 0
            end
        ) / cast(count(*) as double) as accuracy
    from long_form
    left join value_majority
        on
            long_form.feature_name = value_majority.feature_name
            and long_form.feature_value = value_majority.feature_value
    left join overall_majority
        on long_form.feature_name = overall_majority.feature_name
    where not long_form.is_train
    group by long_form.feature_name
)

select
    scored.feature_name,
    scored.evaluated_rows,
    scored.accuracy,
    {{ max_accuracy }} as max_accuracy
from scored
where scored.accuracy > {{ max_accuracy }}

{% endtest %}
