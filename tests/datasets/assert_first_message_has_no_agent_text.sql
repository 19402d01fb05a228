{#
    An agent's answer inside the input text leaks the label: "I have
    refunded your purchase" gives the category away. Lists tickets whose
    first_message contains the (masked, trimmed) body of an agent message of
    the same ticket. Agent bodies shorter than var min_leak_length (8)
    characters are skipped: "ok" or "Hi" occur inside any text.
    It reads version 1: every version shares its rows and first_message, and
    v1 is built first, so a leak is reported even when v1's other tests stop
    the build before v2.
#}
with

ticket_triage as (
    select * from {{ ref('ticket_triage', v=1) }}
),

ticket_messages as (
    select * from {{ ref('stg_desk__ticket_messages') }}
),

agent_texts as (
    select
        ticket_messages.ticket_id,
        ticket_messages.message_id,
        {{ mask_pii('ticket_messages.body') }} as agent_text
    from ticket_messages
    where
        ticket_messages.author_role = 'agent'
        and length(ticket_messages.body) >= {{ var('min_leak_length', 8) }}
),

leaks as (
    select
        ticket_triage.ticket_id,
        agent_texts.message_id as agent_message_id,
        substr(agent_texts.agent_text, 1, 100) as agent_text_start
    from ticket_triage
    inner join agent_texts
        on ticket_triage.ticket_id = agent_texts.ticket_id
    where position(agent_texts.agent_text in ticket_triage.first_message) > 0
)

select * from leaks
