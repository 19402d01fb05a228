with

base_cfpb__complaints as (
    select * from {{ ref('base_cfpb__complaints') }}
),

rejected as (
    select
        base_cfpb__complaints.content_hash as rejected_row_id,
        base_cfpb__complaints.reject_reason,
        base_cfpb__complaints.raw_read_error as reject_detail,
        base_cfpb__complaints.raw_complaint_id,
        base_cfpb__complaints.raw_date_received,
        base_cfpb__complaints.raw_product,
        base_cfpb__complaints.raw_narrative
    from base_cfpb__complaints
    where base_cfpb__complaints.quarantine_status = 'rejected'
)

select * from rejected
