with

base_desk__tickets as (
    select * from {{ ref('base_desk__tickets') }}
),

accepted as (
    select
        base_desk__tickets.ticket_id,
        base_desk__tickets.player_id,
        base_desk__tickets.subject,
        base_desk__tickets.product,
        base_desk__tickets.channel,
        base_desk__tickets.priority,
        base_desk__tickets.status,
        base_desk__tickets.created_at,
        base_desk__tickets.loaded_at
    from base_desk__tickets
    where base_desk__tickets.quarantine_status = 'accepted'
)

select * from accepted
