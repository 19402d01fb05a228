with

base_desk__tickets as (
    select * from {{ ref('base_desk__tickets') }}
),

rejected as (
    select
        base_desk__tickets.content_hash as rejected_row_id,
        base_desk__tickets.reject_reason,
        base_desk__tickets.raw_read_error as reject_detail,
        base_desk__tickets.raw_ticket_id,
        base_desk__tickets.raw_player_id,
        base_desk__tickets.raw_subject,
        base_desk__tickets.raw_channel,
        base_desk__tickets.raw_priority,
        base_desk__tickets.raw_status,
        base_desk__tickets.raw_created_at,
        base_desk__tickets.loaded_at
    from base_desk__tickets
    where base_desk__tickets.quarantine_status = 'rejected'
)

select * from rejected
