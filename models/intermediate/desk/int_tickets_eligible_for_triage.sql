-- A view: a ticket can leave the dataset (reopened, or a new final
-- resolution that is not trainable), which an incremental table would miss.
{{ config(materialized='view') }}

with

tickets as (
    select * from {{ ref('stg_desk__tickets') }}
),

final_resolutions as (
    select * from {{ ref('int_tickets_final_resolution') }}
),

first_player_messages as (
    select * from {{ ref('int_tickets_first_player_message') }}
),

eligible as (
    select
        tickets.ticket_id,
        tickets.player_id,
        first_player_messages.first_message,
        tickets.channel,
        tickets.product,
        final_resolutions.category,
        final_resolutions.resolved_at,
        tickets.created_at,
        tickets.loaded_at
    from tickets
    -- Each inner join is one eligibility rule: a final resolution that maps
    -- to a trainable category, and a non-empty player message.
    inner join final_resolutions
        on tickets.ticket_id = final_resolutions.ticket_id
    inner join first_player_messages
        on tickets.ticket_id = first_player_messages.ticket_id
    where
        tickets.status in {{ accepted_list('eligible_statuses') }}
        and final_resolutions.is_trainable
)

select * from eligible
