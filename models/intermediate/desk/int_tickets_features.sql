-- Every ticket with every feature a desk dataset uses, computed once: the
-- training datasets (through int_tickets_with_features) and the scoring
-- model select from here, so training and serving cannot drift apart.
{{ config(materialized='view') }}

with

tickets as (
    select * from {{ ref('stg_desk__tickets') }}
),

players as (
    select * from {{ ref('stg_desk__players') }}
),

first_player_messages as (
    select * from {{ ref('int_tickets_first_player_message') }}
),

point_in_time_features as (
    select * from {{ ref('int_tickets_point_in_time_features') }}
),

final as (
    select
        tickets.ticket_id,
        tickets.player_id,
        tickets.status,
        {{ mask_pii(strip_boilerplate('tickets.subject')) }} as subject,
        first_player_messages.first_message,
        tickets.channel,
        players.platform,
        players.language,
        tickets.product,
        point_in_time_features.last_resolution_category,
        point_in_time_features.account_age_days,
        point_in_time_features.purchases_before,
        point_in_time_features.spend_usd_30d,
        point_in_time_features.refunds_90d,
        point_in_time_features.prior_tickets_90d,
        tickets.created_at
    from tickets
    inner join players
        on tickets.player_id = players.player_id
    inner join point_in_time_features
        on tickets.ticket_id = point_in_time_features.ticket_id
    -- A ticket may have no player message yet; eligibility requires one.
    left join first_player_messages
        on tickets.ticket_id = first_player_messages.ticket_id
)

select * from final
