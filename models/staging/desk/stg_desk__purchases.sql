with

base_desk__purchases as (
    select * from {{ ref('base_desk__purchases') }}
),

accepted as (
    select
        base_desk__purchases.purchase_id,
        base_desk__purchases.player_id,
        base_desk__purchases.amount_usd,
        base_desk__purchases.purchased_at,
        base_desk__purchases.refunded_at,
        base_desk__purchases.loaded_at
    from base_desk__purchases
    where base_desk__purchases.quarantine_status = 'accepted'
)

select * from accepted
