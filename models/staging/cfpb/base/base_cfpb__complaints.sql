-- Every record of the CFPB export (var cfpb_path), read as text, typed and
-- given a quarantine verdict, one row per CSV record.
with

raw_complaints as {{ inlined_cte() }} (
    {{ read_cfpb_export(report=true) }}
),

typed as {{ inlined_cte() }} (
    select
        raw_complaints.raw_read_error,
        raw_complaints.raw_row_number,
        raw_complaints.complaint_id as raw_complaint_id,
        raw_complaints.date_received as raw_date_received,
        raw_complaints.product as raw_product,
        raw_complaints.narrative as raw_narrative,
        raw_complaints.consumer_consent as raw_consumer_consent,
        raw_complaints.submitted_via as raw_submitted_via,
        raw_complaints.state as raw_state,
        raw_complaints.tags as raw_tags,
        {{ clean_text('raw_complaints.complaint_id') }} as complaint_id,
        {{ clean_text('raw_complaints.product') }} as product,
        {{ clean_text('raw_complaints.narrative') }} as narrative,
        {{ clean_text('raw_complaints.consumer_consent') }}
            as consumer_consent,
        {{ clean_text('raw_complaints.submitted_via') }}
            as submitted_via,
        upper({{ clean_text('raw_complaints.state') }}) as state,
        {{ clean_text('raw_complaints.tags') }} as tags,
        {{ parse_loose_date('raw_complaints.date_received') }}
            as date_received
    from raw_complaints
),

checked as {{ inlined_cte() }} (
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
