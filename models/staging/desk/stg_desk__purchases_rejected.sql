with

base_desk__purchases as (
    select * from {{ ref('base_desk__purchases') }}
),

rejected as (
    select
        base_desk__purchases.content_hash as rejected_row_id,
        base_desk__purchases.reject_reason,
        base_desk__purchases.raw_read_error as reject_detail,
        base_desk__purchases.raw_purchase_id,
        base_desk__purchases.raw_player_id,
        base_desk__purchases.raw_amount_usd,
        base_desk__purchases.raw_purchased_at,
        base_desk__purchases.raw_refunded_at,
        base_desk__purchases.loaded_at
    from base_desk__purchases
    where base_desk__purchases.quarantine_status = 'rejected'
)

select * from rejected
