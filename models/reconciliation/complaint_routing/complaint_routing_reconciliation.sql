-- Where every raw row of the CFPB export went; unaccounted_rows must be 0.
with

base_cfpb__complaints as (
    select * from {{ ref('base_cfpb__complaints') }}
),

mapped as (
    select * from {{ ref('int_complaints_mapped_to_products') }}
),

complaint_routing as (
    select * from {{ ref('complaint_routing', v=1) }}
),

counts as (
    select
        -- Read the file again: the count must not depend on staging. A value
        -- of every column makes the reader decode, and so count, each record.
        (
            select
                count(
                    concat_ws(
                        '|',
                        raw_file.raw_read_error
                        {%- for column in cfpb_columns().values() %},
                        raw_file.{{ column }}
                        {%- endfor %}
                    )
                )
            from ({{ read_cfpb_export() }}) as raw_file
        ) as raw_rows,
        (
            select count(*) from base_cfpb__complaints
            where
                base_cfpb__complaints.quarantine_status = 'collapsed_duplicate'
        ) as collapsed_duplicate_rows,
        (
            select count(*) from base_cfpb__complaints
            where base_cfpb__complaints.quarantine_status = 'rejected'
        ) as rejected_rows,
        (
            select count(*) from base_cfpb__complaints
            where base_cfpb__complaints.quarantine_status = 'accepted'
        ) - (select count(*) from mapped) as without_narrative_or_consent_rows,
        (
            select count(*) from mapped
            where mapped.product is null
        ) as unmapped_product_rows,
        (select count(*) from complaint_routing) as dataset_rows
),

reconciled as (
    select
        counts.*,
        counts.raw_rows
        - counts.collapsed_duplicate_rows
        - counts.rejected_rows
        - counts.without_narrative_or_consent_rows
        - counts.unmapped_product_rows
        - counts.dataset_rows as unaccounted_rows
    from counts
)

select * from reconciled
