{#
    A label distribution that jumps between builds means a join, a filter
    or the taxonomy changed what the model learns. Compares this relation's
    label shares with a reference relation's (for example the previous
    export: "read_parquet('exports/ticket_triage/v2/*/labels.parquet')") by
    total variation distance, and lists every label's shares when the
    distance is above max_distance. Warns by default. With no reference it
    passes and logs that it was skipped.
#}
{% test label_distribution_shift(
    model, column_name, reference=none, reference_column=none,
    max_distance=0.1
) %}

{{ config(severity='warn') }}

{%- if not reference %}
    {%- if execute %}{% do log(
        "label_distribution_shift on " ~ model ~ ": skipped, no reference "
        ~ "relation configured", info=true) %}{% endif -%}
    select 1 as skipped where 1 = 0
{%- else %}

with

current_labels as (
    select
        cast({{ column_name }} as {{ dbt.type_string() }}) as label_value,
        count(*) / cast(sum(count(*)) over () as double) as share
    from {{ model }}
    group by {{ column_name }}
),

reference_labels as (
    select
        cast({{ reference_column or column_name }} as {{ dbt.type_string() }})
            as label_value,
        count(*) / cast(sum(count(*)) over () as double) as share
    from {{ reference }}
    group by {{ reference_column or column_name }}
),

compared as (
    select
        coalesce(current_labels.label_value, reference_labels.label_value)
            as label_value,
        coalesce(current_labels.share, 0) as share,
        coalesce(reference_labels.share, 0) as reference_share
    from current_labels
    full outer join reference_labels
        on current_labels.label_value = reference_labels.label_value
),

distance as (
    select
        compared.*,
        0.5 * sum(abs(compared.share - compared.reference_share)) over ()
            as total_variation_distance
    from compared
)

select * from distance
where total_variation_distance > {{ max_distance }}

{%- endif %}

{% endtest %}
