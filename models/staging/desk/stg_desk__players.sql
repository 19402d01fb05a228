with

base_desk__players as (
    select * from {{ ref('base_desk__players') }}
),

accepted as (
    select
        base_desk__players.player_id,
        base_desk__players.country,
        base_desk__players.platform,
        base_desk__players.language,
        base_desk__players.registered_at,
        base_desk__players.loaded_at
    from base_desk__players
    where base_desk__players.quarantine_status = 'accepted'
)

select * from accepted
