{#
    The reference check of the desk tables. A base model sees only its own
    raw table (the layer rule: base never reads base), so it gives each row
    its own verdict; staging, which may read every base model, rejects an
    accepted row whose foreign key has no accepted parent as
    dangling_reference. A ticket of a rejected player is dangling, and so
    are that ticket's messages: the check follows the chain up to players.
#}

{#- Each referencing table's parent and foreign key (the parent's key has
    the same name), as the desk sources declare with meta references
    (python/tests/test_layers.py holds the two together). -#}
{% macro desk_references() %}
    {{ return({
        'tickets': {'parent': 'players', 'foreign_key': 'player_id'},
        'ticket_messages': {'parent': 'tickets', 'foreign_key': 'ticket_id'},
        'ticket_resolutions': {
            'parent': 'tickets', 'foreign_key': 'ticket_id'
        },
        'purchases': {'parent': 'players', 'foreign_key': 'player_id'},
    }) }}
{% endmacro %}

{#
    The CTEs after a staging model's import CTE base_desk__<table_name>:
    for each ancestor, top down, its base model and the keys it accepts
    (accepted_<ancestor>); then `verdicts`, every base row with its
    final_status and final_reject_reason (those of base, but rejected as
    dangling_reference when base accepted it and its parent is not
    accepted), and the raw text (final_raw_<column>) and final_content_hash
    of the rows rejected.
    Accepted keys are unique (quarantine rejects a key with two contents
    and collapses identical copies), so the left joins add no rows.
#}
{% macro reference_verdicts(table_name) %}
    {%- set references = desk_references() -%}
    {%- set chain = [] -%}
    {%- set walk = namespace(table=table_name) -%}
    {%- for _ in references -%}
        {%- if walk.table in references -%}
            {%- do chain.insert(0, [walk.table, references[walk.table]]) -%}
            {%- set walk.table = references[walk.table].parent -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for child, reference in chain %}
        {%- set parent = reference.parent %}
        {%- set key = reference.foreign_key %}
    base_desk__{{ parent }} as (
        select * from {{ ref('base_desk__' ~ parent) }}
    ),

    accepted_{{ parent }} as (
        select base_desk__{{ parent }}.{{ key }}
        from base_desk__{{ parent }}
        {%- if parent in references %}
        {%- set grand = references[parent] %}
            inner join accepted_{{ grand.parent }}
                on
                    base_desk__{{ parent }}.{{ grand.foreign_key }}
                    = accepted_{{ grand.parent }}.{{ grand.foreign_key }}
        {%- endif %}
        where base_desk__{{ parent }}.quarantine_status = 'accepted'
    ),
    {% endfor %}
    referenced as (
        select
            base_desk__{{ table_name }}.*,
            {%- if table_name in references %}
            {%- set reference = references[table_name] %}
            {%- set dangling = "base_desk__" ~ table_name
                ~ ".quarantine_status = 'accepted' and accepted_"
                ~ reference.parent ~ "." ~ reference.foreign_key ~ " is null" %}
            case
                when {{ dangling }} then 'rejected'
                else base_desk__{{ table_name }}.quarantine_status
            end as final_status,
            case
                when {{ dangling }} then 'dangling_reference'
                else base_desk__{{ table_name }}.reject_reason
            end as final_reject_reason
            {%- else %}
            base_desk__{{ table_name }}.quarantine_status as final_status,
            base_desk__{{ table_name }}.reject_reason as final_reject_reason
            {%- endif %}
        from base_desk__{{ table_name }}
        {%- if table_name in references %}
            left join accepted_{{ reference.parent }}
                on
                    base_desk__{{ table_name }}.{{ reference.foreign_key }}
                    = accepted_{{ reference.parent }}.{{ reference.foreign_key }}
        {%- endif %}
    ),

    {#- The raw text and hash of a row staging rejects, where base kept
        only what it needs (macros/quarantine.sql). #}
    {%- set columns = raw_table_columns(table_name) %}
    verdicts as (
        select
            referenced.*,
            {%- for column in columns %}
            {%- if table_name in references %}
            case
                when referenced.final_status = 'rejected'
                    then {{ kept_raw_text('referenced', column) }}
            end as final_raw_{{ column }},
            {%- else %}
            referenced.raw_{{ column }} as final_raw_{{ column }},
            {%- endif %}
            {%- endfor %}
            {%- if table_name in references %}
            {%- set raw = {} %}
            {%- for column in columns %}
            {%- do raw.update({column: kept_raw_text('referenced', column)}) %}
            {%- endfor %}
            case
                when referenced.final_reject_reason = 'dangling_reference'
                    then {{ content_hash(columns, raw) }}
                else referenced.content_hash
            end as final_content_hash
            {%- else %}
            referenced.content_hash as final_content_hash
            {%- endif %}
        from referenced
    )
{% endmacro %}
