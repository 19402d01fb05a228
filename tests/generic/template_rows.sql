{#
    An unfilled issue template ("**Describe the bug** A clear and concise
    description...") says nothing of its ticket, and it sits in every split
    under every label. A line shared by more than min_share of the rows is
    template; a row with at least one such line and fewer than
    min_remaining_chars characters left once they are removed (lines
    normalized as the duplicate tests' key) is a template-only row. Lists
    each with its id, the shared lines that made it up and the characters
    left. Warns when such rows exceed max_fraction of all rows.
#}
{% test template_rows(
    model, columns, id_column, min_share=0.005, min_remaining_chars=10,
    max_fraction=0.0
) %}

{{ config(
    severity='warn',
    fail_calc='count(*)',
    warn_if='> 0 and max(share_of_rows) > ' ~ max_fraction,
) }}

{%- set texts = [] -%}
{%- for column in ([columns] if columns is string else columns) -%}
    {%- do texts.append("coalesce(" ~ column ~ ", '')") -%}
{%- endfor %}

with

texts as (
    select
        cast({{ id_column }} as {{ dbt.type_string() }}) as row_id,
        concat_ws(chr(10), {{ texts | join(', ') }}) as row_text
    from {{ model }}
),

text_lines as (
    select
        texts.row_id,
        {{ explode_array(split_lines('texts.row_text')) }} as raw_line
    from texts
),

keyed_lines as (
    select
        text_lines.row_id,
        {{ normalize_text('text_lines.raw_line') }} as line_key
    from text_lines
),

{%- set widely_shared -%}
    count(distinct keyed_lines.row_id)
    > {{ min_share }} * (select count(*) from texts)
{%- endset %}

-- Lines in enough rows, found by hash first (macros/key_hashes.sql); only
-- the rows holding one are summed up.
shared_line_hashes as (
    {{ key_hashes(
        'keyed_lines', 'keyed_lines.line_key', widely_shared,
        where="keyed_lines.line_key <> ''"
    ) }}
),

shared_lines as (
    select keyed_lines.line_key
    from keyed_lines
    where
        keyed_lines.line_key <> ''
        and {{ key_hash_in('keyed_lines.line_key', 'shared_line_hashes') }}
    group by keyed_lines.line_key
    having {{ widely_shared }}
),

rows_with_shared_lines as (
    select distinct keyed_lines.row_id
    from keyed_lines
    inner join shared_lines
        on keyed_lines.line_key = shared_lines.line_key
),

rows_left as (
    select
        keyed_lines.row_id,
        sum(
            case
                when shared_lines.line_key is null
                    then length(keyed_lines.line_key)
                else 0
            end
        ) as remaining_chars,
        count(shared_lines.line_key) as shared_line_count,
        {{ string_agg_sorted('shared_lines.line_key') }} as template_lines
    from keyed_lines
    left join shared_lines
        on keyed_lines.line_key = shared_lines.line_key
    -- A null id is no match for in (): its rows are summed up as before.
    where
        keyed_lines.row_id in (
            select rows_with_shared_lines.row_id from rows_with_shared_lines
        )
        or keyed_lines.row_id is null
    group by keyed_lines.row_id
),

reported as (
    select
        rows_left.row_id,
        rows_left.template_lines,
        rows_left.remaining_chars,
        count(*) over ()
        / cast((select count(*) from texts) as double) as share_of_rows
    from rows_left
    where
        rows_left.shared_line_count > 0
        and rows_left.remaining_chars < {{ min_remaining_chars }}
)

select * from reported

{% endtest %}
