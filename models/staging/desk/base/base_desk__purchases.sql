-- depends_on: {{ source('desk', 'purchases') }}
{{ config(unique_key='purchase_id') }}

with

raw_purchases as {{ inlined_cte() }} (
    {{ read_raw_table('purchases', report=true) }}
),

typed as {{ inlined_cte() }} (
    select
        raw_purchases.raw_read_error,
        raw_purchases.raw_row_number,
        {{- raw_text_columns('raw_purchases', 'purchases') }}
        {{ clean_text('raw_purchases.purchase_id') }} as purchase_id,
        {{ clean_text('raw_purchases.player_id') }} as player_id,
        try_cast(
            {{ trim_whitespace('raw_purchases.amount_usd') }} as decimal(18, 2)
        )
            as amount_usd,
        {{ parse_utc_timestamp('raw_purchases.purchased_at') }}
            as purchased_at,
        {{ parse_utc_timestamp('raw_purchases.refunded_at') }} as refunded_at
    from raw_purchases
),

checked as {{ inlined_cte() }} (
    select
        typed.*,
        case
            when typed.raw_read_error is not null then 'unreadable_row'
            when typed.purchase_id is null then 'missing_key'
            when
                typed.purchased_at is null
                or (
                    typed.refunded_at is null
                    and {{ clean_text('typed.raw_refunded_at') }} is not null
                )
                then 'unparseable_timestamp'
            when typed.amount_usd is null then 'invalid_number'
        end as own_reject_reason
    from typed
),

{{ quarantine(
    'checked',
    'purchase_id',
    raw_table_columns('purchases'),
    referencing=true
) }}

select * from quarantined
