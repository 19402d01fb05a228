with

base_desk__ticket_messages as (
    select * from {{ ref('base_desk__ticket_messages') }}
),

{{ reference_verdicts('ticket_messages') }},

accepted as (
    select
        verdicts.message_id,
        verdicts.ticket_id,
        verdicts.author_role,
        verdicts.body,
        verdicts.created_at,
        verdicts.loaded_at
    from verdicts
    where verdicts.final_status = 'accepted'
)

select * from accepted
