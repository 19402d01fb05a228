-- depends_on: {{ source('desk', 'tickets') }}
{{ config(unique_key='ticket_id') }}

with

raw_tickets as {{ inlined_cte() }} (
    {{ read_raw_table('tickets', report=true) }}
),

typed as {{ inlined_cte() }} (
    select
        raw_tickets.raw_read_error,
        raw_tickets.raw_row_number,
        {{- raw_text_columns('raw_tickets', 'tickets') }}
        {{ clean_text('raw_tickets.ticket_id') }} as ticket_id,
        {{ clean_text('raw_tickets.player_id') }} as player_id,
        {{ clean_text('raw_tickets.subject') }} as subject,
        {{ clean_text('raw_tickets.product') }} as product,
        lower({{ clean_text('raw_tickets.channel') }}) as channel,
        lower({{ clean_text('raw_tickets.priority') }}) as priority,
        lower({{ clean_text('raw_tickets.status') }}) as status,
        {{ parse_utc_timestamp('raw_tickets.created_at') }} as created_at
    from raw_tickets
),

checked as {{ inlined_cte() }} (
    select
        typed.*,
        case
            when typed.raw_read_error is not null then 'unreadable_row'
            when typed.ticket_id is null then 'missing_key'
            when typed.created_at is null then 'unparseable_timestamp'
            when
                {{ not_accepted('typed.channel', 'accepted_channels') }}
                or {{ not_accepted('typed.priority', 'accepted_priorities') }}
                or {{ not_accepted('typed.status', 'accepted_statuses') }}
                then 'invalid_enum'
        end as own_reject_reason
    from typed
),

{{ quarantine(
    'checked',
    'ticket_id',
    raw_table_columns('tickets'),
    referencing=true
) }}

select * from quarantined
