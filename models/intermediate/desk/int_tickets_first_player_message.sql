{{ config(unique_key='ticket_id') }}

with

ticket_messages as (
    select * from {{ ref('stg_desk__ticket_messages') }}
),

{%- if is_incremental() %}

-- Only tickets with a message loaded since the last run: their
-- first message is chosen again from all of theirs.
touched_tickets as (
    select distinct ticket_messages.ticket_id
    from ticket_messages
    where {{ loaded_since_last_run('ticket_messages.loaded_at') }}
),
{%- endif %}

player_messages_ranked as (
    select
        ticket_messages.ticket_id,
        ticket_messages.message_id,
        ticket_messages.body,
        ticket_messages.created_at,
        max(ticket_messages.loaded_at) over (
            partition by ticket_messages.ticket_id
        ) as loaded_at,
        row_number() over (
            partition by ticket_messages.ticket_id
            order by ticket_messages.created_at, ticket_messages.message_id
        ) as message_rank
    from ticket_messages
    where
        ticket_messages.author_role = 'player'
        and ticket_messages.body <> ''
        and {{ among_touched_tickets('ticket_messages.ticket_id') }}
),

first_player_messages as (
    select
        player_messages_ranked.ticket_id,
        player_messages_ranked.message_id as first_message_id,
        -- Stripped of boilerplate and masked after choosing, so neither can
        -- change which message is first.
        {{ mask_pii(strip_boilerplate('player_messages_ranked.body')) }}
            as first_message,
        player_messages_ranked.created_at as first_message_at,
        player_messages_ranked.loaded_at
    from player_messages_ranked
    where player_messages_ranked.message_rank = 1
)

select * from first_player_messages
