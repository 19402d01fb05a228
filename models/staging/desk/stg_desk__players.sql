with

base_desk__players as (
    select * from {{ ref('base_desk__players') }}
),

{{ reference_verdicts('players') }},

accepted as (
    select
        verdicts.player_id,
        verdicts.country,
        verdicts.platform,
        verdicts.language,
        verdicts.registered_at,
        verdicts.loaded_at
    from verdicts
    where verdicts.final_status = 'accepted'
)

select * from accepted
