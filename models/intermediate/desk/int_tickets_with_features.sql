-- The features every desk dataset shares, one row per eligible ticket:
-- ticket_triage and resolution_time select from here, so a feature is
-- written once. A view, like the eligible tickets it reads. The split
-- follows var split_strategy: the player's hash (default) or the time.
{{ config(materialized='view') }}

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

point_in_time_features as (
    select * from {{ ref('int_tickets_point_in_time_features') }}
),

{%- if split_strategy() == 'time' %}

split_bounds as (
    select {{ split_time_range('eligible_tickets.created_at') }}
    from eligible_tickets
),
{%- endif %}

final as (
    select
        eligible_tickets.ticket_id,
        eligible_tickets.player_id,
        eligible_tickets.subject,
        eligible_tickets.first_message,
        eligible_tickets.channel,
        players.platform,
        players.language,
        eligible_tickets.product,
        point_in_time_features.last_resolution_category,
        point_in_time_features.account_age_days,
        point_in_time_features.purchases_before,
        point_in_time_features.spend_usd_30d,
        point_in_time_features.refunds_90d,
        point_in_time_features.prior_tickets_90d,
        eligible_tickets.category,
        eligible_tickets.resolved_at,
        {%- if split_strategy() == 'time' %}
        {{ split_from_time('eligible_tickets.created_at', 'split_bounds') }}
            as split,
        {%- else %}
        players_assigned_to_splits.split,
        {%- endif %}
        eligible_tickets.created_at
    from eligible_tickets
    inner join players
        on eligible_tickets.player_id = players.player_id
    inner join players_assigned_to_splits
        on eligible_tickets.player_id = players_assigned_to_splits.player_id
    inner join point_in_time_features
        on eligible_tickets.ticket_id = point_in_time_features.ticket_id
    {%- if split_strategy() == 'time' %}
    cross join split_bounds
    {%- endif %}
)

select * from final
