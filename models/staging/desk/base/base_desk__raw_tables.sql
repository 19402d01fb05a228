{#
    Which raw desk tables the build found, one row per declared source
    table: an optional table (purchases) may be absent, and then its
    features are null. The export reads this to say so in the card.
#}
-- depends_on: {{ source('desk', 'players') }}
-- depends_on: {{ source('desk', 'tickets') }}
-- depends_on: {{ source('desk', 'ticket_messages') }}
-- depends_on: {{ source('desk', 'ticket_resolutions') }}
-- depends_on: {{ source('desk', 'purchases') }}
{#- The sources above make it read what the datasets are built from, so
    the export finds it for their manifests. -#}
{{ config(materialized='table') }}

with

raw_tables as (
    {{ raw_tables_found() }}
)

select * from raw_tables
