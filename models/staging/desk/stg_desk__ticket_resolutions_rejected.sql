with

base_desk__ticket_resolutions as (
    select * from {{ ref('base_desk__ticket_resolutions') }}
),

rejected as (
    select
        base_desk__ticket_resolutions.content_hash as rejected_row_id,
        base_desk__ticket_resolutions.reject_reason,
        base_desk__ticket_resolutions.raw_read_error as reject_detail,
        base_desk__ticket_resolutions.raw_resolution_id,
        base_desk__ticket_resolutions.raw_ticket_id,
        base_desk__ticket_resolutions.raw_agent_id,
        base_desk__ticket_resolutions.raw_resolution_code,
        base_desk__ticket_resolutions.raw_resolved_at,
        base_desk__ticket_resolutions.loaded_at
    from base_desk__ticket_resolutions
    where base_desk__ticket_resolutions.quarantine_status = 'rejected'
)

select * from rejected
