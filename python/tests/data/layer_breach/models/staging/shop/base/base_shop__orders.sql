-- The planted breach: a base model reads a staging model.
select customer_id as order_id from {{ ref('stg_shop__customers') }}
