with

stg_cfpb__complaints_checked as (
    select * from {{ ref('stg_cfpb__complaints_checked') }}
),

rejected as (
    select
        stg_cfpb__complaints_checked.content_hash as rejected_row_id,
        stg_cfpb__complaints_checked.reject_reason,
        stg_cfpb__complaints_checked.raw_read_error as reject_detail,
        stg_cfpb__complaints_checked.raw_complaint_id,
        stg_cfpb__complaints_checked.raw_date_received,
        stg_cfpb__complaints_checked.raw_product,
        stg_cfpb__complaints_checked.raw_narrative
    from stg_cfpb__complaints_checked
    where stg_cfpb__complaints_checked.quarantine_status = 'rejected'
)

select * from rejected
