with

ticket_resolutions as (
    select * from {{ ref('stg_desk__ticket_resolutions') }}
),

resolution_categories as (
    select * from {{ ref('resolution_categories') }}
),

resolutions_ranked as (
    select
        ticket_resolutions.ticket_id,
        ticket_resolutions.resolution_id,
        ticket_resolutions.resolution_code,
        ticket_resolutions.resolved_at,
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
        resolutions_ranked.resolved_at
    from resolutions_ranked
    left join resolution_categories
        on
            resolutions_ranked.resolution_code
            = resolution_categories.resolution_code
    where resolutions_ranked.resolution_rank = 1
)

select * from final_resolutions
