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
        category,
        split,
        created_at
    from tickets_with_features
)

select * from final
