{{ config(unique_key='ticket_id') }}

with

ticket_resolutions as (
    select * from {{ ref('stg_desk__ticket_resolutions') }}
),

{%- if is_incremental() %}

-- Only tickets with a resolution loaded since the last run: their
-- final resolution is chosen again from all of theirs.
touched_tickets as (
    select distinct ticket_resolutions.ticket_id
    from ticket_resolutions
    where {{ loaded_since_last_run('ticket_resolutions.loaded_at') }}
),
{%- endif %}

resolution_categories as (
    select * from {{ ref('stg_desk__resolution_categories') }}
),

resolutions_ranked as (
    select
        ticket_resolutions.ticket_id,
        ticket_resolutions.resolution_id,
        ticket_resolutions.resolution_code,
        ticket_resolutions.resolved_at,
        max(ticket_resolutions.loaded_at) over (
            partition by ticket_resolutions.ticket_id
        ) as loaded_at,
        row_number() over (
            partition by ticket_resolutions.ticket_id
            order by
                ticket_resolutions.resolved_at desc,
                ticket_resolutions.resolution_id desc
        ) as resolution_rank,
        count(*) over (
            partition by ticket_resolutions.ticket_id
        ) as resolution_count
    from ticket_resolutions
    where {{ among_touched_tickets('ticket_resolutions.ticket_id') }}
),

final_resolutions as (
    select
        resolutions_ranked.ticket_id,
        resolutions_ranked.resolution_id,
        resolutions_ranked.resolution_code,
        resolution_categories.category,
        resolutions_ranked.resolution_count,
        resolution_categories.resolution_code is not null as is_in_taxonomy,
        coalesce(resolution_categories.is_trainable, false) as is_trainable,
        resolutions_ranked.resolved_at,
        resolutions_ranked.loaded_at
    from resolutions_ranked
    left join resolution_categories
        on
            resolutions_ranked.resolution_code
            = resolution_categories.resolution_code
    where resolutions_ranked.resolution_rank = 1
)

select * from final_resolutions
