with

eligible_tickets as (
    select * from {{ ref('int_tickets_eligible_for_triage') }}
),

players as (
    select * from {{ ref('stg_desk__players') }}
),

players_assigned_to_splits as (
    select * from {{ ref('int_players_assigned_to_splits') }}
),

final as (
    select
        eligible_tickets.ticket_id,
        eligible_tickets.subject,
        eligible_tickets.first_message,
        eligible_tickets.channel,
        players.platform,
        players.language,
        eligible_tickets.category,
        players_assigned_to_splits.split,
        eligible_tickets.created_at
    from eligible_tickets
    inner join players
        on eligible_tickets.player_id = players.player_id
    inner join players_assigned_to_splits
        on eligible_tickets.player_id = players_assigned_to_splits.player_id
)

select * from final
