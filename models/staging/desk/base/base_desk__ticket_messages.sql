-- depends_on: {{ source('desk', 'ticket_messages') }}
{{ config(unique_key='message_id') }}

with

raw_ticket_messages as {{ inlined_cte() }} (
    {{ read_raw_table('ticket_messages', report=true) }}
),

typed as {{ inlined_cte() }} (
    select
        raw_ticket_messages.raw_read_error,
        raw_ticket_messages.raw_row_number,
        {{- raw_text_columns('raw_ticket_messages', 'ticket_messages') }}
        {{ clean_text('raw_ticket_messages.message_id') }} as message_id,
        {{ clean_text('raw_ticket_messages.ticket_id') }} as ticket_id,
        lower({{ clean_text('raw_ticket_messages.author_role') }})
            as author_role,
        -- An empty body is a real message (an attachment, say): kept as ''.
        coalesce({{ trim_whitespace('raw_ticket_messages.body') }}, '') as body,
        {{ parse_utc_timestamp('raw_ticket_messages.created_at') }}
            as created_at
    from raw_ticket_messages
),

checked as {{ inlined_cte() }} (
    select
        typed.*,
        case
            when typed.raw_read_error is not null then 'unreadable_row'
            when typed.message_id is null then 'missing_key'
            when typed.created_at is null then 'unparseable_timestamp'
            when
                coalesce(typed.author_role, '')
                not in ('player', 'agent', 'bot')
                then 'invalid_enum'
        end as own_reject_reason
    from typed
),

{{ quarantine(
    'checked',
    'message_id',
    raw_table_columns('ticket_messages'),
    referencing=true
) }}

select * from quarantined
