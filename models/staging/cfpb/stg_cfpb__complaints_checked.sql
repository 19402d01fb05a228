with

base_cfpb__complaints as (
    select * from {{ ref('base_cfpb__complaints') }}
),

typed as (
    select
        base_cfpb__complaints.raw_read_error,
        base_cfpb__complaints.complaint_id as raw_complaint_id,
        base_cfpb__complaints.date_received as raw_date_received,
        base_cfpb__complaints.product as raw_product,
        base_cfpb__complaints.narrative as raw_narrative,
        base_cfpb__complaints.consumer_consent as raw_consumer_consent,
        base_cfpb__complaints.submitted_via as raw_submitted_via,
        base_cfpb__complaints.state as raw_state,
        base_cfpb__complaints.tags as raw_tags,
        {{ clean_text('base_cfpb__complaints.complaint_id') }} as complaint_id,
        {{ clean_text('base_cfpb__complaints.product') }} as product,
        {{ clean_text('base_cfpb__complaints.narrative') }} as narrative,
        {{ clean_text('base_cfpb__complaints.consumer_consent') }}
            as consumer_consent,
        {{ clean_text('base_cfpb__complaints.submitted_via') }}
            as submitted_via,
        upper({{ clean_text('base_cfpb__complaints.state') }}) as state,
        {{ clean_text('base_cfpb__complaints.tags') }} as tags,
        {{ parse_loose_date('base_cfpb__complaints.date_received') }}
            as date_received
    from base_cfpb__complaints
),

checked as (
    select
        typed.*,
        case
            when typed.raw_read_error is not null then 'unreadable_row'
            when typed.complaint_id is null then 'missing_key'
            when typed.date_received is null then 'unparseable_date'
            when typed.product is null then 'missing_value'
        end as own_reject_reason
    from typed
),

{{ quarantine(
    'checked',
    'complaint_id',
    ['complaint_id', 'date_received', 'product', 'narrative',
     'consumer_consent', 'submitted_via', 'state', 'tags']
) }}

select * from quarantined
