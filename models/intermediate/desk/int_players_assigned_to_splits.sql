{{ config(unique_key='player_id') }}

with

players as (
    select * from {{ ref('stg_desk__players') }}
    where {{ loaded_since_last_run('loaded_at') }}
),

hashed as (
    select
        players.player_id,
        players.loaded_at,
        {{ split_hash('players.player_id') }} as split_hash
    from players
),

assigned as (
    select
        hashed.player_id,
        hashed.split_hash,
        {{ split_from_hash('hashed.split_hash') }} as split,
        hashed.loaded_at
    from hashed
)

select * from assigned
