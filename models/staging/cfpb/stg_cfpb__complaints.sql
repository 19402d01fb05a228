with

base_cfpb__complaints as (
    select * from {{ ref('base_cfpb__complaints') }}
),

accepted as (
    select
        base_cfpb__complaints.complaint_id,
        base_cfpb__complaints.product,
        base_cfpb__complaints.narrative,
        base_cfpb__complaints.consumer_consent,
        base_cfpb__complaints.submitted_via,
        base_cfpb__complaints.state,
        base_cfpb__complaints.tags,
        base_cfpb__complaints.date_received
    from base_cfpb__complaints
    where base_cfpb__complaints.quarantine_status = 'accepted'
)

select * from accepted
