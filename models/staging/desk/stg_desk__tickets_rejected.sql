with

base_desk__tickets as (
    select * from {{ ref('base_desk__tickets') }}
),

{{ reference_verdicts('tickets') }},

rejected as (
    select
        verdicts.final_content_hash as rejected_row_id,
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
        verdicts.final_raw_ticket_id as raw_ticket_id,
        verdicts.final_raw_player_id as raw_player_id,
        verdicts.final_raw_subject as raw_subject,
        verdicts.final_raw_product as raw_product,
        verdicts.final_raw_channel as raw_channel,
        verdicts.final_raw_priority as raw_priority,
        verdicts.final_raw_status as raw_status,
        verdicts.final_raw_created_at as raw_created_at,
        verdicts.loaded_at
    from verdicts
    where verdicts.final_status = 'rejected'
)

select * from rejected
