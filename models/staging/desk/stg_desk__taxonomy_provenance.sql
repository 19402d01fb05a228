-- Which taxonomy the build used, for the export's manifest and card.
-- A table: the hash is taken once, at build time, from the build's folder.
{{ config(materialized='table') }}

with

resolution_categories as (
    select * from {{ ref('base_desk__resolution_categories') }}
),

final as (
    select
        '{{ taxonomy_source() }}' as taxonomy_source,
        {{ sql_string(taxonomy_path()) }} as taxonomy_path,
        {{ file_sha256(taxonomy_path()) }} as taxonomy_sha256,
        cast(count(*) as integer) as taxonomy_rows,
        cast(count(
            case when resolution_categories.is_trainable then 1 end
        ) as integer) as trainable_codes
    from resolution_categories
)

select * from final
