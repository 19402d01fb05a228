with

base_desk__resolution_categories as (
    select * from {{ ref('base_desk__resolution_categories') }}
),

final as (
    select
        base_desk__resolution_categories.resolution_code,
        base_desk__resolution_categories.category,
        base_desk__resolution_categories.is_trainable
    from base_desk__resolution_categories
)

select * from final
