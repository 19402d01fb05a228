with

base_desk__players as (
    select * from {{ ref('base_desk__players') }}
),

rejected as (
    select
        base_desk__players.content_hash as rejected_row_id,
        base_desk__players.reject_reason,
        coalesce(
            base_desk__players.raw_read_error,
            case
                when base_desk__players.reject_reason = 'invalid_enum'
                    then {{ enum_reject_detail([
                        ['base_desk__players.raw_platform', 'platform',
                         'accepted_platforms'],
                    ]) }}
            end
        ) as reject_detail,
        base_desk__players.raw_player_id,
        base_desk__players.raw_country,
        base_desk__players.raw_platform,
        base_desk__players.raw_language,
        base_desk__players.raw_registered_at,
        base_desk__players.loaded_at
    from base_desk__players
    where base_desk__players.quarantine_status = 'rejected'
)

select * from rejected
