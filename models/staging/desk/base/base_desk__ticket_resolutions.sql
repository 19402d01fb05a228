-- depends_on: {{ source('desk', 'ticket_resolutions') }}
{{ config(unique_key='resolution_id') }}

with

raw_ticket_resolutions as {{ inlined_cte() }} (
    {{ read_raw_table('ticket_resolutions', report=true) }}
),

typed as {{ inlined_cte() }} (
    select
        raw_ticket_resolutions.raw_read_error,
        raw_ticket_resolutions.raw_row_number,
        {{- raw_text_columns('raw_ticket_resolutions', 'ticket_resolutions') }}
        {{ clean_text('raw_ticket_resolutions.resolution_id') }}
            as resolution_id,
        {{ clean_text('raw_ticket_resolutions.ticket_id') }} as ticket_id,
        {{ clean_text('raw_ticket_resolutions.agent_id') }} as agent_id,
        upper({{ clean_text('raw_ticket_resolutions.resolution_code') }})
            as resolution_code,
        {{ parse_utc_timestamp('raw_ticket_resolutions.resolved_at') }}
            as resolved_at
    from raw_ticket_resolutions
),

checked as {{ inlined_cte() }} (
    select
        typed.*,
        case
            when typed.raw_read_error is not null then 'unreadable_row'
            when typed.resolution_id is null then 'missing_key'
            when typed.resolved_at is null then 'unparseable_timestamp'
            when typed.resolution_code is null then 'missing_value'
        end as own_reject_reason
    from typed
),

{{ quarantine(
    'checked',
    'resolution_id',
    raw_table_columns('ticket_resolutions'),
    referencing=true
) }}

select * from quarantined
