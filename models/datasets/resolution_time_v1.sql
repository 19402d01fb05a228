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
        -- Hours from the ticket's creation to its final resolution; a
        -- resolution stamped before the creation leaves the ticket out
        -- (the warning resolved_after_created counts them).
        cast(
            {{ seconds_between('created_at', 'resolved_at') }} / 3600.0
            as double
        ) as hours_to_resolution,
        split,
        created_at
    from tickets_with_features
    where resolved_at >= created_at
)

select * from final
