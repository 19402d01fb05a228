{#
    The resolution taxonomy as read: var taxonomy_path's file through the
    raw reader, or the bundled seed. Codes match after trimming,
    case-insensitively: they are stored trimmed and upper case, as
    base_desk__ticket_resolutions stores the codes it maps. A taxonomy that
    cannot be used (an unreadable row, a row without code or category, an
    is_trainable that is not a boolean, a code twice, no trainable
    category) stops the build in one line naming the file and the code.
#}
-- depends_on: {{ ref('resolution_categories') }}
{{ config(materialized='table') }}
{%- if execute and taxonomy_source() == 'file'
    and not raw_file_exists(taxonomy_path()) %}
    {{ exceptions.raise_compiler_error(
        "taxonomy " ~ taxonomy_path() ~ ": file not found (var taxonomy_path)"
    ) }}
{%- endif %}

with

raw_categories as (
    {%- if taxonomy_source() == 'file' %}
    {{ read_raw_file(
        'resolution_categories',
        taxonomy_path(),
        ['resolution_code', 'category', 'is_trainable'],
        report=true
    ) }}
    {%- else %}
    select
        cast(seed.resolution_code as {{ dbt.type_string() }})
            as resolution_code,
        cast(seed.category as {{ dbt.type_string() }}) as category,
        cast(seed.is_trainable as {{ dbt.type_string() }}) as is_trainable,
        cast(null as {{ dbt.type_string() }}) as raw_read_error,
        {{ row_sequence() }} as raw_row_number
    from {{ ref('resolution_categories') }} as seed
    {%- endif %}
),

typed as (
    select
        raw_categories.raw_read_error,
        raw_categories.raw_row_number,
        raw_categories.resolution_code as raw_resolution_code,
        raw_categories.is_trainable as raw_is_trainable,
        upper({{ clean_text('raw_categories.resolution_code') }})
            as resolution_code,
        {{ clean_text('raw_categories.category') }} as category,
        case
            when
                lower({{ clean_text('raw_categories.is_trainable') }})
                in ('true', 't', '1', 'yes', 'y')
                then true
            when
                lower({{ clean_text('raw_categories.is_trainable') }})
                in ('false', 'f', '0', 'no', 'n')
                then false
        end as is_trainable
    from raw_categories
),

problems as (
    select typed.raw_read_error as problem
    from typed
    where typed.raw_read_error is not null
    union all
    select 'a row without a resolution_code' as problem
    from typed
    where typed.raw_read_error is null and typed.resolution_code is null
    union all
    select 'code ' || typed.resolution_code || ' has no category' as problem
    from typed
    where typed.resolution_code is not null and typed.category is null
    union all
    select
        'code ' || typed.resolution_code || ': is_trainable '
        || coalesce('''' || typed.raw_is_trainable || '''', 'missing')
        || ' is not true or false' as problem
    from typed
    where typed.resolution_code is not null and typed.is_trainable is null
    union all
    select
        'code ' || typed.resolution_code || ' appears '
        || cast(count(*) as {{ dbt.type_string() }})
        || ' times (codes match after trimming, case-insensitively)'
            as problem
    from typed
    where typed.resolution_code is not null
    group by typed.resolution_code
    having count(*) > 1
    union all
    select 'no category is trainable (is_trainable true)' as problem
    from (
        select count(*) as trainable_rows
        from typed
        where typed.is_trainable
    ) as trainable
    where trainable.trainable_rows = 0
),

-- One problem (the first in sort order) stops the query, the same each run.
checks as (
    select
        count(
            {{ raise_error(
                sql_string('taxonomy ' ~ taxonomy_path() ~ ': ')
                ~ ' || first_problem.problem'
            ) }}
        ) as failed_checks
    from (
        select min(problems.problem) as problem from problems
    ) as first_problem
    where first_problem.problem is not null
),

final as (
    select
        typed.resolution_code,
        typed.category,
        typed.is_trainable
    from typed
    cross join checks
    where checks.failed_checks = 0
)

select * from final
