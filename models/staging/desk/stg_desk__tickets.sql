with

base_desk__tickets as (
    select * from {{ ref('base_desk__tickets') }}
),

{{ reference_verdicts('tickets') }},

accepted as (
    select
        verdicts.ticket_id,
        verdicts.player_id,
        verdicts.subject,
        verdicts.product,
        verdicts.channel,
        verdicts.priority,
        verdicts.status,
        verdicts.created_at,
        verdicts.loaded_at
    from verdicts
    where verdicts.final_status = 'accepted'
)

select * from accepted
