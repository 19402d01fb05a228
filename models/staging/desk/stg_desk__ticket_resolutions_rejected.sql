with

base_desk__ticket_resolutions as (
    select * from {{ ref('base_desk__ticket_resolutions') }}
),

{{ reference_verdicts('ticket_resolutions') }},

rejected as (
    select
        verdicts.final_content_hash as rejected_row_id,
        verdicts.final_reject_reason as reject_reason,
        verdicts.raw_read_error as reject_detail,
        verdicts.final_raw_resolution_id as raw_resolution_id,
        verdicts.final_raw_ticket_id as raw_ticket_id,
        verdicts.final_raw_agent_id as raw_agent_id,
        verdicts.final_raw_resolution_code as raw_resolution_code,
        verdicts.final_raw_resolved_at as raw_resolved_at,
        verdicts.loaded_at
    from verdicts
    where verdicts.final_status = 'rejected'
)

select * from rejected
