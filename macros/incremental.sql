{#
    The incremental path (var incremental): a model that is incremental
    takes, from a relation carrying loaded_at, only the rows loaded since
    its own newest row. On a full build the condition is plain true.
#}
{% macro loaded_since_last_run(column) -%}
    {%- if is_incremental() -%}
        {{ column }} > (select max(this_run.loaded_at) from {{ this }} as this_run)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{# True for a key in the model's touched_tickets CTE, on an incremental run. #}
{% macro among_touched_tickets(column) -%}
    {%- if is_incremental() -%}
        {{ column }} in (select touched_tickets.ticket_id from touched_tickets)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
