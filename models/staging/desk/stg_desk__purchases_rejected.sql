with

base_desk__purchases as (
    select * from {{ ref('base_desk__purchases') }}
),

{{ reference_verdicts('purchases') }},

rejected as (
    select
        verdicts.content_hash as rejected_row_id,
        verdicts.final_reject_reason as reject_reason,
        verdicts.raw_read_error as reject_detail,
        verdicts.raw_purchase_id,
        verdicts.raw_player_id,
        verdicts.raw_amount_usd,
        verdicts.raw_purchased_at,
        verdicts.raw_refunded_at,
        verdicts.loaded_at
    from verdicts
    where verdicts.final_status = 'rejected'
)

select * from rejected
