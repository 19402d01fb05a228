with

base_desk__purchases as (
    select * from {{ ref('base_desk__purchases') }}
),

{{ reference_verdicts('purchases') }},

rejected as (
    select
        verdicts.final_content_hash as rejected_row_id,
        verdicts.final_reject_reason as reject_reason,
        verdicts.raw_read_error as reject_detail,
        verdicts.final_raw_purchase_id as raw_purchase_id,
        verdicts.final_raw_player_id as raw_player_id,
        verdicts.final_raw_amount_usd as raw_amount_usd,
        verdicts.final_raw_purchased_at as raw_purchased_at,
        verdicts.final_raw_refunded_at as raw_refunded_at,
        verdicts.loaded_at
    from verdicts
    where verdicts.final_status = 'rejected'
)

select * from rejected
