with

base_desk__tickets as (
    select * from {{ ref('base_desk__tickets') }}
),

rejected as (
    select
        base_desk__tickets.content_hash as rejected_row_id,
        base_desk__tickets.reject_reason,
        coalesce(
            base_desk__tickets.raw_read_error,
            case
                when base_desk__tickets.reject_reason = 'invalid_enum'
                    then {{ enum_reject_detail([
                        ['base_desk__tickets.raw_channel', 'channel',
                         'accepted_channels'],
                        ['base_desk__tickets.raw_priority', 'priority',
                         'accepted_priorities'],
                        ['base_desk__tickets.raw_status', 'status',
                         'accepted_statuses'],
                    ]) }}
            end
        ) as reject_detail,
        base_desk__tickets.raw_ticket_id,
        base_desk__tickets.raw_player_id,
        base_desk__tickets.raw_subject,
        base_desk__tickets.raw_product,
        base_desk__tickets.raw_channel,
        base_desk__tickets.raw_priority,
        base_desk__tickets.raw_status,
        base_desk__tickets.raw_created_at,
        base_desk__tickets.loaded_at
    from base_desk__tickets
    where base_desk__tickets.quarantine_status = 'rejected'
)

select * from rejected
