-- The tickets that get point-in-time features: every ticket, open or
-- closed, so a training dataset and the scoring model read one
-- computation. A seam of its own so the feature logic is unit-tested on
-- the tickets it is given.
{{ config(materialized='view') }}

with

tickets as (
    select * from {{ ref('stg_desk__tickets') }}
),

final as (
    select
        tickets.ticket_id,
        tickets.player_id,
        tickets.created_at,
        tickets.loaded_at
    from tickets
)

select * from final
