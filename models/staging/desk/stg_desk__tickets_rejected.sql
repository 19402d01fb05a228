with

base_desk__tickets as (
    select * from {{ ref('base_desk__tickets') }}
),

{{ reference_verdicts('tickets') }},

rejected as (
    select
        verdicts.content_hash as rejected_row_id,
        verdicts.final_reject_reason as reject_reason,
        coalesce(
            verdicts.raw_read_error,
            case
                when verdicts.reject_reason = 'invalid_enum'
                    then {{ enum_reject_detail([
                        ['verdicts.raw_channel', 'channel',
                         'accepted_channels'],
                        ['verdicts.raw_priority', 'priority',
                         'accepted_priorities'],
                        ['verdicts.raw_status', 'status',
                         'accepted_statuses'],
                    ]) }}
            end
        ) as reject_detail,
        verdicts.raw_ticket_id,
        verdicts.raw_player_id,
        verdicts.raw_subject,
        verdicts.raw_product,
        verdicts.raw_channel,
        verdicts.raw_priority,
        verdicts.raw_status,
        verdicts.raw_created_at,
        verdicts.loaded_at
    from verdicts
    where verdicts.final_status = 'rejected'
)

select * from rejected
