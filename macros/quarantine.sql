{#
    The quarantine step of every staging table. It takes a CTE whose rows
    hold, for each contract column, the typed value (<column>) and the raw
    text (raw_<column>), plus raw_row_number (the reader's, see
    empty_raw_table) and own_reject_reason (what is wrong with the row on
    its own, or null). It reads that CTE twice, so the model declares it
    and the CTEs it reads with inlined_cte() (materialized_cte.sql). It
    returns the CTEs that give each raw row one quarantine_status:
      collapsed_duplicate  a second copy of an identical row;
      rejected             with reject_reason: the row's own reason, else
                           key_conflict (the key recurs with other content:
                           every copy is rejected);
      accepted             everything else.
    The reference check (dangling_reference) needs the parent's base model,
    so it is staging's (macros/references.sql); on a table that references
    another (`referencing`), accepted rows keep what staging needs to give
    the raw text and hash of a row it rejects as dangling (kept_raw_text).
    Identity is on typed values, so a re-delivery that writes a timestamp
    as '...T...Z' instead of '... ...' is still the same row. The raw_
    columns are null on accepted rows, whose typed values say it all.
#}
{% macro loaded_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{#
    A number per row, increasing in reading order, for a reader that has no
    row number of its own (CSV; Parquet on DuckDB has the file's). Spark has
    no window without an order, and its ids are increasing but not
    consecutive, which is all quarantine needs.
#}
{% macro row_sequence() %}
    {{ return(adapter.dispatch('row_sequence', 'trainset')()) }}
{% endmacro %}

{% macro default__row_sequence() -%}
    row_number() over ()
{%- endmacro %}

{% macro spark__row_sequence() -%}
    monotonically_increasing_id()
{%- endmacro %}

{#
    A row's content: md5 of its typed values, the raw text where a value
    did not type. `raw` maps a column to its raw text expression (default
    raw_<column>).
#}
{% macro content_hash(columns, raw={}) -%}
    md5(concat_ws('|',
        coalesce(raw_read_error, '')
        {%- for column in columns %},
        coalesce(
            cast({{ column }} as {{ dbt.type_string() }}),
            '~' || coalesce({{ raw.get(column, 'raw_' ~ column) }}, '~null')
        )
        {%- endfor %}
    ))
{%- endmacro %}

{#
    The raw text of a column on a base row of a referencing table: as kept
    on a row not accepted; on an accepted row, the kept text (chr(0) for
    null), else the typed value's text, which equals it.
#}
{% macro kept_raw_text(relation, column) -%}
    case
        when {{ relation }}.quarantine_status <> 'accepted'
            then {{ relation }}.raw_{{ column }}
        when {{ relation }}.raw_{{ column }} = chr(0) then null
        else coalesce(
            {{ relation }}.raw_{{ column }},
            cast({{ relation }}.{{ column }} as {{ dbt.type_string() }})
        )
    end
{%- endmacro %}

{% macro quarantine(typed_cte, key, columns, referencing=false) %}
    -- Only what the checks across rows read, computed once: carrying every
    -- row's text through them spilled gigabytes at 10M rows. The rows
    -- themselves are read again at the end, which streams.
    hashed as {{ materialized_cte() }} (
        select
            {{ typed_cte }}.raw_row_number as row_seq,
            {{ typed_cte }}.{{ key }},
            {{ content_hash(columns) }} as content_hash
        from {{ typed_cte }}
    ),

    -- Narrow aggregates, not windows over every row: the first copy of
    -- each content that recurs, and the keys that come with more than one
    -- content. Both are few, so the joins back build small tables.
    repeated_contents as (
        select
            hashed.content_hash,
            min(hashed.row_seq) as first_row_seq
        from hashed
        group by hashed.content_hash
        having count(*) > 1
    ),

    later_copies as (
        select hashed.row_seq
        from hashed
        inner join repeated_contents
            on
                hashed.content_hash = repeated_contents.content_hash
                and hashed.row_seq > repeated_contents.first_row_seq
    ),

    conflicting_keys as (
        select hashed.{{ key }}
        from hashed
        group by hashed.{{ key }}
        having count(distinct hashed.content_hash) > 1
    ),

    flagged as (
        select
            {{ typed_cte }}.*,
            case when later_copies.row_seq is null then 1 else 2 end as copy_number,
            conflicting_keys.{{ key }} is not null as has_key_conflict
        from {{ typed_cte }}
        left join later_copies
            on {{ typed_cte }}.raw_row_number = later_copies.row_seq
        left join conflicting_keys
            on {{ typed_cte }}.{{ key }} = conflicting_keys.{{ key }}
    ),

    classified as (
        select
            flagged.*,
            case
                when flagged.copy_number > 1 then null
                when flagged.own_reject_reason is not null
                    then flagged.own_reject_reason
                -- A NUL byte has no place in text: it truncates C strings
                -- and breaks CSV readers downstream.
                when
                    position(chr(0) in concat_ws('',
                        {%- for column in columns %}
                        raw_{{ column }}{{ "," if not loop.last }}
                        {%- endfor %}
                    )) > 0
                    then 'nul_byte'
                when flagged.has_key_conflict then 'key_conflict'
            end as reject_reason
        from flagged
    ),

    statused as (
        select
            classified.*,
            case
                when classified.copy_number > 1 then 'collapsed_duplicate'
                when classified.reject_reason is not null then 'rejected'
                else 'accepted'
            end as quarantine_status
        from classified
    ),

    -- The raw text is kept only where it is needed, on rows not accepted:
    -- writing every body twice cost more than all of the checks. On an
    -- accepted row of a referencing table, which staging may still reject,
    -- it is kept where the typed value's text does not say it (see
    -- kept_raw_text); a null kept there is written chr(0), which no
    -- accepted row holds (nul_byte).
    quarantined as (
        select
            statused.raw_read_error,
            {%- for column in columns %}
            case
                when statused.quarantine_status <> 'accepted'
                    then statused.raw_{{ column }}
                {%- if referencing %}
                when not coalesce(
                    statused.raw_{{ column }}
                    = cast(statused.{{ column }} as {{ dbt.type_string() }}),
                    false
                ) then coalesce(statused.raw_{{ column }}, chr(0))
                {%- endif %}
            end as raw_{{ column }},
            statused.{{ column }},
            {%- endfor %}
            statused.own_reject_reason,
            -- Hashed again here, on the few rows that keep it.
            case
                when statused.quarantine_status <> 'accepted'
                    then {{ content_hash(columns) }}
            end as content_hash,
            statused.copy_number,
            statused.has_key_conflict,
            statused.reject_reason,
            statused.quarantine_status,
            -- Which load brought the row: incremental models downstream
            -- take what is newer than what they hold.
            {{ loaded_at() }} as loaded_at
        from statused
    )
{% endmacro %}
