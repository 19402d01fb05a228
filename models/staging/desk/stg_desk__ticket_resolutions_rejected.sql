with

base_desk__ticket_resolutions as (
    select * from {{ ref('base_desk__ticket_resolutions') }}
),

{{ reference_verdicts('ticket_resolutions') }},

rejected as (
    select
        verdicts.content_hash as rejected_row_id,
        verdicts.final_reject_reason as reject_reason,
        verdicts.raw_read_error as reject_detail,
        verdicts.raw_resolution_id,
        verdicts.raw_ticket_id,
        verdicts.raw_agent_id,
        verdicts.raw_resolution_code,
        verdicts.raw_resolved_at,
        verdicts.loaded_at
    from verdicts
    where verdicts.final_status = 'rejected'
)

select * from rejected
