with

base_desk__ticket_messages as (
    select * from {{ ref('base_desk__ticket_messages') }}
),

accepted as (
    select
        base_desk__ticket_messages.message_id,
        base_desk__ticket_messages.ticket_id,
        base_desk__ticket_messages.author_role,
        base_desk__ticket_messages.body,
        base_desk__ticket_messages.created_at,
        base_desk__ticket_messages.loaded_at
    from base_desk__ticket_messages
    where base_desk__ticket_messages.quarantine_status = 'accepted'
)

select * from accepted
