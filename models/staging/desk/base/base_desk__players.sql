-- depends_on: {{ source('desk', 'players') }}
{{ config(unique_key='player_id') }}

with

raw_players as {{ inlined_cte() }} (
    {{ read_raw_table('players', report=true) }}
),

typed as {{ inlined_cte() }} (
    select
        raw_players.raw_read_error,
        raw_players.raw_row_number,
        {{- raw_text_columns('raw_players', 'players') }}
        {{ clean_text('raw_players.player_id') }} as player_id,
        upper({{ clean_text('raw_players.country') }}) as country,
        lower({{ clean_text('raw_players.platform') }}) as platform,
        -- The contract names this column; RF04 would have us rename it.
        lower({{ clean_text('raw_players.language') }})
            as language, -- noqa: RF04
        {{ parse_utc_timestamp('raw_players.registered_at') }} as registered_at
    from raw_players
),

checked as {{ inlined_cte() }} (
    select
        typed.*,
        case
            when typed.raw_read_error is not null then 'unreadable_row'
            when typed.player_id is null then 'missing_key'
            -- registered_at may be empty (unknown), not unparseable.
            when
                typed.registered_at is null
                and {{ clean_text('typed.raw_registered_at') }} is not null
                then 'unparseable_timestamp'
            when
                {{ not_accepted('typed.platform', 'accepted_platforms') }}
                or not {{ regexp_contains(
                    "coalesce(typed.country, 'ZZ')", '^[A-Z]{2}$'
                ) }}
                or not {{ regexp_contains(
                    "coalesce(typed.language, 'zz')", '^[a-z]{2}$'
                ) }}
                then 'invalid_enum'
        end as own_reject_reason
    from typed
),

{{ quarantine(
    'checked',
    'player_id',
    raw_table_columns('players')
) }}

select * from quarantined
