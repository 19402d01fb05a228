with

base_desk__ticket_messages as (
    select * from {{ ref('base_desk__ticket_messages') }}
),

{{ reference_verdicts('ticket_messages') }},

rejected as (
    select
        verdicts.final_content_hash as rejected_row_id,
        verdicts.final_reject_reason as reject_reason,
        verdicts.raw_read_error as reject_detail,
        verdicts.final_raw_message_id as raw_message_id,
        verdicts.final_raw_ticket_id as raw_ticket_id,
        verdicts.final_raw_author_role as raw_author_role,
        verdicts.final_raw_body as raw_body,
        verdicts.final_raw_created_at as raw_created_at,
        verdicts.loaded_at
    from verdicts
    where verdicts.final_status = 'rejected'
)

select * from rejected
