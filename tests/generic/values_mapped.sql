{#
    Every value of column_name is mapped by a lookup relation (`to`, on
    `field`). Lists each unmapped value with its row count; warns on any and
    errors when the unmapped share of the model's rows is above
    max_fraction. On ticket_triage's final resolutions it finds resolution
    codes missing from the taxonomy; the tickets that carry them are left out
    of the dataset, never given a null label.
#}
{% test values_mapped(model, column_name, to, field, max_fraction=0.01) %}

{#- When the share breaks the limit, the log names the most frequent
    unmapped values: dbt's failure line gives only a count. -#}
{%- if execute and flags.WHICH in ('build', 'test') -%}
    {%- set top = run_query("select * from (" ~ values_mapped_rows(model, column_name, to, field)
        ~ ") as reported order by unmapped_rows desc, unmapped_value limit 5") -%}
    {%- if top.rows and top.rows[0][2] > max_fraction | float -%}
        {%- set listed = [] -%}
        {%- for row in top.rows -%}
            {%- do listed.append(row[0] ~ " (" ~ row[1] ~ ")") -%}
        {%- endfor -%}
        {%- do log("values_mapped on " ~ model ~ ": " ~ column_name ~ " values missing from "
            ~ to ~ " in " ~ (top.rows[0][2] * 100) | round(1) ~ "% of rows (limit "
            ~ (max_fraction | float * 100) | round(1) ~ "%); most frequent: "
            ~ listed | join(", "), info=true) -%}
    {%- endif -%}
{%- endif %}

{{ config(
    severity='error',
    fail_calc='coalesce(sum(unmapped_rows), 0)',
    warn_if='> 0',
    error_if='> 0 and max(unmapped_share) > ' ~ max_fraction,
) }}

{{ values_mapped_rows(model, column_name, to, field) }}

{% endtest %}
