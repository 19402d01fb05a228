-- The training rows every desk dataset shares, one per eligible ticket:
-- its features (from int_tickets_features), label inputs and split. A
-- table rebuilt in full each run, like int_tickets_features: the eligible
-- tickets it reads can change, and three datasets read it. The split
-- follows var split_strategy: the player's hash (default) or the time.
{{ config(materialized='table') }}

with

eligible_tickets as (
    select * from {{ ref('int_tickets_eligible_for_triage') }}
),

tickets_features as (
    select * from {{ ref('int_tickets_features') }}
),

players_assigned_to_splits as (
    select * from {{ ref('int_players_assigned_to_splits') }}
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
        tickets_features.subject,
        tickets_features.first_message,
        tickets_features.channel,
        tickets_features.platform,
        tickets_features.language,
        tickets_features.product,
        tickets_features.last_resolution_category,
        tickets_features.account_age_days,
        tickets_features.purchases_before,
        tickets_features.spend_usd_30d,
        tickets_features.refunds_90d,
        tickets_features.prior_tickets_90d,
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
    inner join tickets_features
        on eligible_tickets.ticket_id = tickets_features.ticket_id
    inner join players_assigned_to_splits
        on eligible_tickets.player_id = players_assigned_to_splits.player_id
    {%- if split_strategy() == 'time' %}
    cross join split_bounds
    {%- endif %}
)

select * from final
