with

complaints as (
    select * from {{ ref('int_complaints_mapped_to_products') }}
),

keyed as (
    select
        complaints.*,
        {{ split_hash(narrative_split_key('complaints.narrative_unmasked')) }}
            as split_hash
    from complaints
    -- An unmapped product is reported by values_mapped, never a null label.
    where complaints.product is not null
),

final as (
    select
        keyed.complaint_id,
        keyed.narrative,
        keyed.submitted_via,
        keyed.state,
        keyed.tags,
        keyed.product,
        {{ split_from_hash('keyed.split_hash') }} as split,
        keyed.date_received
    from keyed
)

select * from final
