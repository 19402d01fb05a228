-- Consented complaints with a narrative, their product in today's taxonomy.
with

stg_cfpb__complaints as (
    select * from {{ ref('stg_cfpb__complaints') }}
),

cfpb_products as (
    select * from {{ ref('cfpb_products') }}
),

mapped as (
    select
        stg_cfpb__complaints.complaint_id,
        {{ mask_pii(strip_boilerplate('stg_cfpb__complaints.narrative')) }}
            as narrative,
        stg_cfpb__complaints.narrative as narrative_unmasked,
        stg_cfpb__complaints.submitted_via,
        stg_cfpb__complaints.state,
        stg_cfpb__complaints.tags,
        stg_cfpb__complaints.product as export_product,
        cfpb_products.product,
        stg_cfpb__complaints.date_received
    from stg_cfpb__complaints
    left join cfpb_products
        on stg_cfpb__complaints.product = cfpb_products.export_product
    where
        stg_cfpb__complaints.narrative is not null
        and stg_cfpb__complaints.consumer_consent = 'Consent provided'
)

select * from mapped
