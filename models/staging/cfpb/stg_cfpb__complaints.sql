with

stg_cfpb__complaints_checked as (
    select * from {{ ref('stg_cfpb__complaints_checked') }}
),

accepted as (
    select
        stg_cfpb__complaints_checked.complaint_id,
        stg_cfpb__complaints_checked.product,
        stg_cfpb__complaints_checked.narrative,
        stg_cfpb__complaints_checked.consumer_consent,
        stg_cfpb__complaints_checked.submitted_via,
        stg_cfpb__complaints_checked.state,
        stg_cfpb__complaints_checked.tags,
        stg_cfpb__complaints_checked.date_received
    from stg_cfpb__complaints_checked
    where stg_cfpb__complaints_checked.quarantine_status = 'accepted'
)

select * from accepted
