with

base_desk__players as (
    select * from {{ ref('base_desk__players') }}
),

{{ reference_verdicts('players') }},

rejected as (
    select
        verdicts.final_content_hash as rejected_row_id,
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
        verdicts.final_raw_player_id as raw_player_id,
        verdicts.final_raw_country as raw_country,
        verdicts.final_raw_platform as raw_platform,
        verdicts.final_raw_language as raw_language,
        verdicts.final_raw_registered_at as raw_registered_at,
        verdicts.loaded_at
    from verdicts
    where verdicts.final_status = 'rejected'
)

select * from rejected
