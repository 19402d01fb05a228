with

base_desk__ticket_resolutions as (
    select * from {{ ref('base_desk__ticket_resolutions') }}
),

accepted as (
    select
        base_desk__ticket_resolutions.resolution_id,
        base_desk__ticket_resolutions.ticket_id,
        base_desk__ticket_resolutions.agent_id,
        base_desk__ticket_resolutions.resolution_code,
        base_desk__ticket_resolutions.resolved_at,
        base_desk__ticket_resolutions.loaded_at
    from base_desk__ticket_resolutions
    where base_desk__ticket_resolutions.quarantine_status = 'accepted'
)

select * from accepted
