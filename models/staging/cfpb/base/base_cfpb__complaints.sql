-- Every row of the CFPB export (var cfpb_path) as text, one row per CSV record.
with

raw_complaints as (
    {{ read_cfpb_export(report=true) }}
)

select * from raw_complaints
