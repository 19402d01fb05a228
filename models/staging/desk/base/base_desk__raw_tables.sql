{#
    Which raw desk tables the build found, one row per declared source
    table: an optional table (purchases) may be absent, and then its
    features are null. The export reads this to say so in the card.
#}
{{ config(materialized='table') }}

with

raw_tables as (
    {{ raw_tables_found() }}
)

select * from raw_tables
