with

base_desk__ticket_messages as (
    select * from {{ ref('base_desk__ticket_messages') }}
),

{{ reference_verdicts('ticket_messages') }},

rejected as (
    select
        verdicts.content_hash as rejected_row_id,
        verdicts.final_reject_reason as reject_reason,
        verdicts.raw_read_error as reject_detail,
        verdicts.raw_message_id,
        verdicts.raw_ticket_id,
        verdicts.raw_author_role,
        verdicts.raw_body,
        verdicts.raw_created_at,
        verdicts.loaded_at
    from verdicts
    where verdicts.final_status = 'rejected'
)

select * from rejected
