-- The tickets a classifier trained on ticket_triage v2 routes: every ticket
-- not yet in an eligible status, with v2's features from the same
-- computation (int_tickets_features). features_match holds both sides to it.
with

tickets_features as (
    select * from {{ ref('int_tickets_features') }}
),

final as (
    select
        ticket_id,
        subject,
        first_message,
        channel,
        platform,
        language,
        product,
        last_resolution_category,
        account_age_days,
        purchases_before,
        spend_usd_30d,
        refunds_90d,
        prior_tickets_90d,
        created_at
    from tickets_features
    where status not in {{ accepted_list('eligible_statuses') }}
)

select * from final
