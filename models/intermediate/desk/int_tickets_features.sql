-- Every ticket with every feature a desk dataset uses, computed once: the
-- training datasets (through int_tickets_with_features) and the scoring
-- model select from here, so training and serving cannot drift apart.
-- A table, rebuilt in full each run (a ticket's status changes, which an
-- incremental table would miss): as a view, each dataset computed it
-- again, and at 10M tickets the datasets building side by side ran out
-- of DuckDB's memory.
{{ config(materialized='table') }}

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

-- Everything but the first message, computed once before its join: with
-- the four joins in one pipeline, DuckDB held the messages' text beside
-- the other join tables and ran out of 4 GB at 10M tickets.
features as {{ materialized_cte() }} (
    select
        tickets.ticket_id,
        tickets.player_id,
        tickets.status,
        {{ mask_pii(strip_boilerplate('tickets.subject')) }} as subject,
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
),

final as (
    select
        features.ticket_id,
        features.player_id,
        features.status,
        features.subject,
        first_player_messages.first_message,
        features.channel,
        features.platform,
        features.language,
        features.product,
        features.last_resolution_category,
        features.account_age_days,
        features.purchases_before,
        features.spend_usd_30d,
        features.refunds_90d,
        features.prior_tickets_90d,
        features.created_at
    from features
    -- A ticket may have no player message yet; eligibility requires one.
    left join first_player_messages
        on features.ticket_id = first_player_messages.ticket_id
)

select * from final
