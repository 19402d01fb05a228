with

ticket_triage_v1 as (
    select * from {{ ref('ticket_triage', v=1) }}
),

eligible_tickets as (
    select * from {{ ref('int_tickets_eligible_for_triage') }}
),

point_in_time_features as (
    select * from {{ ref('int_tickets_point_in_time_features') }}
),

final as (
    select
        ticket_triage_v1.ticket_id,
        ticket_triage_v1.subject,
        ticket_triage_v1.first_message,
        ticket_triage_v1.channel,
        ticket_triage_v1.platform,
        ticket_triage_v1.language,
        eligible_tickets.product,
        point_in_time_features.last_resolution_category,
        point_in_time_features.account_age_days,
        point_in_time_features.purchases_before,
        point_in_time_features.spend_usd_30d,
        point_in_time_features.refunds_90d,
        point_in_time_features.prior_tickets_90d,
        ticket_triage_v1.category,
        ticket_triage_v1.split,
        ticket_triage_v1.created_at
    from ticket_triage_v1
    inner join eligible_tickets
        on ticket_triage_v1.ticket_id = eligible_tickets.ticket_id
    inner join point_in_time_features
        on ticket_triage_v1.ticket_id = point_in_time_features.ticket_id
)

select * from final
