with

base_desk__purchases as (
    select * from {{ ref('base_desk__purchases') }}
),

{{ reference_verdicts('purchases') }},

accepted as (
    select
        verdicts.purchase_id,
        verdicts.player_id,
        verdicts.amount_usd,
        verdicts.purchased_at,
        verdicts.refunded_at,
        verdicts.loaded_at
    from verdicts
    where verdicts.final_status = 'accepted'
)

select * from accepted
