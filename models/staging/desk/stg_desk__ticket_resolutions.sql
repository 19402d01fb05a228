with

base_desk__ticket_resolutions as (
    select * from {{ ref('base_desk__ticket_resolutions') }}
),

{{ reference_verdicts('ticket_resolutions') }},

accepted as (
    select
        verdicts.resolution_id,
        verdicts.ticket_id,
        verdicts.agent_id,
        verdicts.resolution_code,
        verdicts.resolved_at,
        verdicts.loaded_at
    from verdicts
    where verdicts.final_status = 'accepted'
)

select * from accepted
