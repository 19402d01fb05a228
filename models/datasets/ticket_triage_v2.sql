with

tickets_with_features as (
    select * from {{ ref('int_tickets_with_features') }}
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
        category,
        split,
        created_at
    from tickets_with_features
)

select * from final
