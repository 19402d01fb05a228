with

players as (
    select * from {{ ref('stg_desk__players') }}
),

hashed as (
    select
        players.player_id,
        {{ split_hash('players.player_id') }} as split_hash
    from players
),

assigned as (
    select
        hashed.player_id,
        hashed.split_hash,
        {{ split_from_hash('hashed.split_hash') }} as split
    from hashed
)

select * from assigned
