{#
    Where every raw desk row and every ticket went, for
    `trainset reconcile ticket_triage`, one row per count:
      raw_table  each raw table's rows by quarantine outcome and reason;
      ticket     each accepted ticket's first reason to leave the dataset,
                 and the rows of each ticket_triage version.
    Up to 20 example ids per count (the smallest).
#}
{%- set tables = {
    'players': 'player_id',
    'tickets': 'ticket_id',
    'ticket_messages': 'message_id',
    'ticket_resolutions': 'resolution_id',
    'purchases': 'purchase_id',
} %}

with

{% for table, key in tables.items() %}
base_desk__{{ table }} as (
    select * from {{ ref('base_desk__' ~ table) }}
),

stg_desk__{{ table }} as (
    select * from {{ ref('stg_desk__' ~ table) }}
),

{% endfor -%}

tickets as (
    select * from stg_desk__tickets
),

players as (
    select * from stg_desk__players
),

final_resolutions as (
    select * from {{ ref('int_tickets_final_resolution') }}
),

first_player_messages as (
    select * from {{ ref('int_tickets_first_player_message') }}
),

ticket_triage_v1 as (
    select * from {{ ref('ticket_triage', v=1) }}
),

ticket_triage_v2 as (
    select * from {{ ref('ticket_triage', v=2) }}
),

-- A row base accepted but staging did not has a dangling reference.
raw_outcomes as (
    {%- for table, key in tables.items() %}
    select
        'raw_table' as section,
        '{{ table }}' as subject_name,
        case
            when
                base_desk__{{ table }}.quarantine_status = 'accepted'
                and stg_desk__{{ table }}.{{ key }} is null
                then 'rejected'
            else base_desk__{{ table }}.quarantine_status
        end as outcome,
        case
            when
                base_desk__{{ table }}.quarantine_status = 'accepted'
                and stg_desk__{{ table }}.{{ key }} is null
                then 'dangling_reference'
            else base_desk__{{ table }}.reject_reason
        end as reason,
        coalesce(
            base_desk__{{ table }}.{{ key }},
            base_desk__{{ table }}.raw_{{ key }}
        ) as example_id
    from base_desk__{{ table }}
    left join stg_desk__{{ table }}
        on
            base_desk__{{ table }}.quarantine_status = 'accepted'
            and base_desk__{{ table }}.{{ key }}
            = stg_desk__{{ table }}.{{ key }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

-- Each accepted ticket's first reason to leave, in the order of the rules.
ticket_outcomes as (
    select
        'ticket' as section,
        'tickets' as subject_name,
        case
            when
                tickets.status not in {{ accepted_list('eligible_statuses') }}
                then 'left'
            when final_resolutions.ticket_id is null then 'left'
            when not final_resolutions.is_in_taxonomy then 'left'
            when not final_resolutions.is_trainable then 'left'
            when first_player_messages.ticket_id is null then 'left'
            when players.player_id is null then 'left'
            else 'eligible'
        end as outcome,
        case
            when
                tickets.status not in {{ accepted_list('eligible_statuses') }}
                then 'not_eligible_status'
            when final_resolutions.ticket_id is null
                then 'no_final_resolution'
            when not final_resolutions.is_in_taxonomy
                then 'code_not_in_taxonomy'
            when not final_resolutions.is_trainable
                then 'resolution_not_trainable'
            when first_player_messages.ticket_id is null
                then 'no_player_message'
            when players.player_id is null then 'player_rejected'
        end as reason,
        tickets.ticket_id as example_id
    from tickets
    left join final_resolutions
        on tickets.ticket_id = final_resolutions.ticket_id
    left join first_player_messages
        on tickets.ticket_id = first_player_messages.ticket_id
    left join players
        on tickets.player_id = players.player_id
),

dataset_rows as (
    select
        'ticket' as section,
        'ticket_triage_v1' as subject_name,
        'in_dataset' as outcome,
        cast(null as {{ dbt.type_string() }}) as reason,
        ticket_triage_v1.ticket_id as example_id
    from ticket_triage_v1
    union all
    select
        'ticket' as section,
        'ticket_triage_v2' as subject_name,
        'in_dataset' as outcome,
        cast(null as {{ dbt.type_string() }}) as reason,
        ticket_triage_v2.ticket_id as example_id
    from ticket_triage_v2
),

outcomes as (
    select * from raw_outcomes
    union all
    select * from ticket_outcomes
    union all
    select * from dataset_rows
),

counted as (
    {{ counts_with_examples(
        'outcomes',
        ['section', 'subject_name', 'outcome', 'reason'],
        'example_id',
        20,
    ) }}
)

select * from counted
