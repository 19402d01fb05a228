with

base_desk__ticket_messages as (
    select * from {{ ref('base_desk__ticket_messages') }}
),

rejected as (
    select
        base_desk__ticket_messages.content_hash as rejected_row_id,
        base_desk__ticket_messages.reject_reason,
        base_desk__ticket_messages.raw_read_error as reject_detail,
        base_desk__ticket_messages.raw_message_id,
        base_desk__ticket_messages.raw_ticket_id,
        base_desk__ticket_messages.raw_author_role,
        base_desk__ticket_messages.raw_body,
        base_desk__ticket_messages.raw_created_at,
        base_desk__ticket_messages.loaded_at
    from base_desk__ticket_messages
    where base_desk__ticket_messages.quarantine_status = 'rejected'
)

select * from rejected
