with

base_desk__players as (
    select * from {{ ref('base_desk__players') }}
),

{{ reference_verdicts('players') }},

rejected as (
    select
        verdicts.content_hash as rejected_row_id,
        verdicts.final_reject_reason as reject_reason,
        coalesce(
            verdicts.raw_read_error,
            case
                when verdicts.reject_reason = 'invalid_enum'
                    then {{ enum_reject_detail([
                        ['verdicts.raw_platform', 'platform',
                         'accepted_platforms'],
                    ]) }}
            end
        ) as reject_detail,
        verdicts.raw_player_id,
        verdicts.raw_country,
        verdicts.raw_platform,
        verdicts.raw_language,
        verdicts.raw_registered_at,
        verdicts.loaded_at
    from verdicts
    where verdicts.final_status = 'rejected'
)

select * from rejected
