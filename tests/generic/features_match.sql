{#
    Training and serving drift apart when a dataset and the model that
    scores new rows compute a feature in two ways. For each row of the
    model, every column must equal (null-safe) the row with the same key in
    `to`, the one computation both should select from. Lists the key, the
    column and both values; a key missing from `to` is listed too.
#}
{% test features_match(model, to, key, columns) %}

with

compared as (
    {%- for column in columns %}
    select
        model_rows.{{ key }} as row_key,
        '{{ column }}' as column_name,
        cast(model_rows.{{ column }} as string) as model_value,
        cast(reference_rows.{{ column }} as string) as expected_value,
        reference_rows.{{ key }} is null as is_missing
    from {{ model }} as model_rows
    left join {{ to }} as reference_rows
        on model_rows.{{ key }} = reference_rows.{{ key }}
    where
        reference_rows.{{ key }} is null
        or model_rows.{{ column }} is distinct from reference_rows.{{ column }}
    {{- "\n    union all" if not loop.last }}
    {%- endfor %}
)

select * from compared

{% endtest %}
