{#
    The raw desk export is read straight from files, never loaded as seeds,
    so a multi-gigabyte export streams through the engine. Every column comes
    back as text, plus raw_read_error: typing, and quarantine of what does
    not type, is the job of the staging models. Parquet wins over CSV when
    both exist.

    A CSV is read by its header's names, with no guessing: a header missing
    a contract column stops the build naming the table and column; extra
    columns are reported once and ignored. A record DuckDB cannot read (a
    byte that is not UTF-8, a field too many or too few, an unterminated
    quote, a line over the size limit) is not dropped: a scan before the
    build stores it in raw_read_errors__<table>, and it comes back here as a
    row whose raw_read_error says what is wrong and where, for quarantine
    to reject. An empty file is an empty table.

    The columns default to the table's in the desk sources
    (_desk__sources.yml). A column declared optional may be missing from the
    file: it reads as all null. A table declared optional may be missing
    from raw_dir: it reads as empty, and the build says so once.
#}
{% macro read_raw_table(table_name, columns=none, report=false) %}
    {%- set columns = raw_table_columns(table_name) if columns is none else columns -%}
    {%- set stem = raw_table_path(table_name) -%}
    {%- if not execute -%}
        {{ return(empty_raw_table(columns)) }}
    {%- endif -%}
    {%- if raw_file_exists(stem ~ ".parquet") -%}
        {%- set path = stem ~ ".parquet" -%}
    {%- elif raw_file_exists(stem ~ ".csv") -%}
        {%- set path = stem ~ ".csv" -%}
    {%- else -%}
        {{ return(absent_raw_table(table_name, columns, report)) }}
    {%- endif -%}
    {{ return(cut_at_pit_cutoff(
        read_raw_file(table_name, path, columns, report, raw_optional_columns(table_name)),
        table_name,
        columns,
    )) }}
{% endmacro %}

{#
    The raw table as it was at var pit_cutoff (trainset check-pit): rows
    whose declared row_time is at or after the cutoff did not exist yet,
    and later_times at or after it had not happened. A row whose time does
    not parse is kept, for quarantine to reject as it would. Without the
    var, the query as it is.
#}
{% macro cut_at_pit_cutoff(query, table_name, columns) %}
    {%- set cutoff = var('pit_cutoff', none) -%}
    {%- set source = raw_source(table_name) -%}
    {%- if not cutoff or source is none -%}
        {{ return(query) }}
    {%- endif -%}
    {%- set meta = source.meta or {} -%}
    {%- set at = "cast(" ~ sql_string(cutoff) ~ " as timestamp)" -%}
    {%- set cut -%}
    select
        {%- for column in columns %}
        {%- if column in (meta.get('later_times') or []) %}
        case
            when {{ parse_utc_timestamp('raw_rows.' ~ column) }} >= {{ at }}
                then null
            else raw_rows.{{ column }}
        end as {{ column }},
        {%- else %}
        raw_rows.{{ column }},
        {%- endif %}
        {%- endfor %}
        raw_rows.raw_read_error,
        raw_rows.raw_row_number
    from ({{ query }}) as raw_rows
    {%- if meta.get('row_time') %}
    where not coalesce(
        {{ parse_utc_timestamp('raw_rows.' ~ meta.row_time) }} >= {{ at }}, false
    )
    {%- endif %}
    {%- endset -%}
    {{ return(cut) }}
{% endmacro %}

{#
    One raw file (its extension says Parquet or CSV) as the contract's
    columns in text, plus raw_read_error. name names the file in messages
    and in the raw_read_errors__<name> table.
#}
{% macro read_raw_file(name, path, columns, report=false, optional_columns=[]) %}
    {%- if not execute -%}
        {{ return(empty_raw_table(columns)) }}
    {%- endif -%}
    {{ return(adapter.dispatch('read_raw_file', 'trainset')(
        name, path, columns, report, optional_columns)) }}
{% endmacro %}

{# An absent optional table: one line in the log, and no rows. #}
{% macro absent_raw_table(table_name, columns, report) %}
    {%- set stem = raw_table_path(table_name) -%}
    {%- if not raw_table_is_optional(table_name) -%}
        {%- do raw_table_not_found(table_name) -%}
    {%- endif -%}
    {%- if report -%}
        {%- do log("raw table " ~ table_name ~ " not found (" ~ stem ~ ".parquet or .csv): "
            ~ "it is optional, and read as empty", info=true) -%}
    {%- endif -%}
    {{ return(empty_raw_table(columns)) }}
{% endmacro %}

{#
    The reader's query with every contract column: those missing from the
    file's header (optional ones: check_raw_header stops on any other) as
    null.
#}
{% macro with_absent_columns(query, columns, header) -%}
    select
        {%- for column in columns %}
        {%- if column in header %}
        raw_file.{{ column }},
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as {{ column }},
        {%- endif %}
        {%- endfor %}
        raw_file.raw_read_error,
        raw_file.raw_row_number
    from ({{ query }}) as raw_file
{%- endmacro %}

{% macro raw_table_path(table_name) %}
    {%- set raw_dir = var('raw_dir') | string -%}
    {{ return(raw_dir.rstrip('/') ~ '/' ~ table_name) }}
{% endmacro %}

{% macro raw_table_not_found(table_name) %}
    {%- set stem = raw_table_path(table_name) -%}
    {{ exceptions.raise_compiler_error(
        "raw table '" ~ table_name ~ "' not found: looked for " ~ stem
        ~ ".parquet and " ~ stem ~ ".csv (var raw_dir = " ~ var('raw_dir') ~ ")") }}
{% endmacro %}

{% macro sql_string(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{#
    The contract columns of a typed source (Parquet) as text, as CSV gives
    them, and row_number (an expression) as raw_row_number.
#}
{% macro columns_as_text(columns, relation, row_number) -%}
    select
        {%- for column in columns %}
        cast({{ column }} as {{ dbt.type_string() }}) as {{ column }},
        {%- endfor %}
        cast(null as {{ dbt.type_string() }}) as raw_read_error,
        {{ row_number }} as raw_row_number
    from {{ relation }}
{%- endmacro %}

{#
    No rows, with the columns every raw reader returns: the contract's as
    text, raw_read_error, and raw_row_number (a number per row, increasing
    in reading order, that tells quarantine the first copy of a duplicate).
#}
{% macro empty_raw_table(columns) -%}
    select
        {%- for column in columns %}
        cast(null as {{ dbt.type_string() }}) as {{ column }},
        {%- endfor %}
        cast(null as {{ dbt.type_string() }}) as raw_read_error,
        cast(null as {{ dbt.type_bigint() }}) as raw_row_number
    where 1 = 0
{%- endmacro %}

{#- The largest line a CSV record may span: 5 MB message bodies fit. -#}
{% macro raw_max_line_size() %}{{ return(64 * 1024 * 1024) }}{% endmacro %}


{% macro raw_file_exists(path) %}
    {{ return(adapter.dispatch('raw_file_exists', 'trainset')(path)) }}
{% endmacro %}

{% macro duckdb__raw_file_exists(path) %}
    {{ return(run_query("select count(*) from glob(" ~ sql_string(path) ~ ")").rows[0][0] > 0) }}
{% endmacro %}

{% macro spark__raw_file_exists(path) %}
    {%- set directory, _, file = path.rpartition('/') -%}
    {{ return(spark_file_sizes(directory, file) | length > 0) }}
{% endmacro %}

{% macro duckdb__read_raw_file(name, path, columns, report, optional_columns) %}
    {%- set empty = empty_raw_table(columns) -%}
    {%- set is_parquet = path.endswith('.parquet') -%}
    {%- if is_parquet -%}
        {%- set reader = "read_parquet(" ~ sql_string(path) ~ ")" -%}
        {%- set header = run_query("select column_name from (describe select * from "
            ~ reader ~ ")").columns[0].values() | map('lower') | list -%}
    {%- else -%}
        {%- if csv_is_empty(path) -%}
            {{ return(empty) }}
        {%- endif -%}
        {%- set header = csv_header(path) | map('lower') | list -%}
    {%- endif -%}

    {%- do check_raw_header(name, path, columns, header, report, optional_columns) -%}
    {%- set present = columns | select('in', header) | list -%}

    {%- if is_parquet -%}
        {#- The file's own row numbers: a window numbering the rows would
            run the read and everything after it on one thread. -#}
        {%- set query = columns_as_text(
            present,
            "read_parquet(" ~ sql_string(path) ~ ", file_row_number = true)",
            'file_row_number',
        ) -%}
    {%- else -%}
        {%- set wanted = {} -%}
        {%- for column in present -%}
            {%- do wanted.update({column: column}) -%}
        {%- endfor -%}
        {%- set query = read_csv_records(path, header, wanted, name, report) -%}
    {%- endif -%}
    {{ return(query if present | length == columns | length
        else with_absent_columns(query, columns, header)) }}
{% endmacro %}

{#
    A header missing a contract column stops the build naming the table and
    column; extra columns are reported once (with report) and ignored.
#}
{% macro check_raw_header(table_name, path, columns, header, report, optional_columns=[]) %}
    {%- set missing = columns | reject('in', header) | reject('in', optional_columns) | list -%}
    {%- set absent = optional_columns | select('in', columns) | reject('in', header) | list -%}
    {%- if report and absent -%}
        {%- do log("raw table " ~ table_name ~ " (" ~ path ~ "): optional column(s) "
            ~ absent | join(', ') ~ " absent, read as null", info=true) -%}
    {%- endif -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            "raw table '" ~ table_name ~ "' (" ~ path ~ "): required column(s) "
            ~ missing | join(', ') ~ " missing from the header") }}
    {%- endif -%}
    {%- set extra = header | reject('in', columns) | list -%}
    {%- if report and extra -%}
        {%- do log("raw table " ~ table_name ~ " (" ~ path ~ "): ignoring extra column(s) "
            ~ extra | join(', '), info=true) -%}
    {%- endif -%}
{% endmacro %}

{# True for a file of zero bytes: an empty table, with no header to read. #}
{% macro csv_is_empty(path) %}
    {{ return(run_query("select size from read_blob(" ~ sql_string(path) ~ ")").rows[0][0] == 0) }}
{% endmacro %}

{#
    The header's column names: line skip + 1 of the file, split on commas,
    a byte-order mark and quotes stripped.
#}
{% macro csv_header(path, skip=0) %}
    {%- set names = [] -%}
    {%- for name in csv_line(path, skip + 1).lstrip('\ufeff').split(',') -%}
        {%- do names.append(name.strip().strip('"').strip()) -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}

{# Line n (from 1) of a text file, as it is, or '' past its end. #}
{% macro csv_line(path, n) %}
    {{ return(adapter.dispatch('csv_line', 'trainset')(path, n)) }}
{% endmacro %}

{% macro duckdb__csv_line(path, n) %}
    {%- set rows = run_query(
        "select line from (select row_number() over () as line_number, line "
        ~ "from read_csv(" ~ sql_string(path) ~ ", columns = {'line': 'varchar'}, "
        ~ "header = false, delim = '\x1f', quote = '', escape = '', auto_detect = false, "
        ~ "ignore_errors = true, strict_mode = false, max_line_size = " ~ raw_max_line_size() ~ ") limit "
        ~ n ~ ") where line_number = " ~ n
    ).rows -%}
    {{ return(rows[0][0] or '' if rows else '') }}
{% endmacro %}

{#- Spark's text source keeps a file's lines in order within its first split. -#}
{% macro spark__csv_line(path, n) %}
    {%- do run_query("create or replace temporary view trainset_raw_lines using text options (path "
        ~ sql_string(path) ~ ")") -%}
    {%- set rows = run_query("select value from trainset_raw_lines limit " ~ n).rows -%}
    {{ return(rows[n - 1][0] or '' if rows | length >= n else '') }}
{% endmacro %}

{#
    The records of a CSV whose header is `header`, with nothing guessed: the
    columns in `wanted` (header name -> output name) as text, plus
    raw_read_error. With report, a scan stores the records DuckDB cannot
    read in raw_read_errors__<name>, one row per record; they come back here
    as rows whose raw_read_error says what is wrong and on which line, so
    quarantine rejects them and nothing vanishes.
#}
{% macro read_csv_records(path, header, wanted, name, report, skip=0) %}
    {%- set errors_table = target.schema ~ ".raw_read_errors__" ~ name -%}
    {%- set types = [] -%}
    {%- for column in header -%}
        {%- do types.append(sql_string(column) ~ ": 'varchar'") -%}
    {%- endfor -%}
    {%- set options = "skip = " ~ skip ~ ", header = true, auto_detect = false, columns = {"
        ~ types | join(', ') ~ "}, delim = ',', quote = '\"', escape = '\"', "
        ~ "max_line_size = " ~ raw_max_line_size() -%}
    {%- if report -%}
        {%- do check_csv_line_endings(path, name) -%}
        {#- Touch every field, so DuckDB decodes, and records, each bad record. -#}
        {%- do run_query(
            "select count(concat_ws('|', " ~ header | map('tojson') | join(', ')
            ~ ")) from read_csv(" ~ sql_string(path) ~ ", " ~ options
            ~ ", store_rejects = true, rejects_table = 'trainset_rejects_" ~ name
            ~ "', rejects_scan = 'trainset_reject_scans_" ~ name ~ "')") -%}
        {#- DuckDB may list several errors for one record. -#}
        {%- do run_query(
            "create or replace table " ~ errors_table ~ " as "
            ~ "select line, string_agg(distinct error_type::varchar, ', ') as error_type, "
            ~ "min(error_message) as error_message, min(csv_line) as csv_line "
            ~ "from trainset_rejects_" ~ name ~ " group by line") -%}
    {%- endif %}
    select
        csv_records.*,
        {{ row_sequence() }} as raw_row_number
    from (
        select
            {%- for column, output in wanted.items() %}
            {{ column | tojson }} as {{ output }},
            {%- endfor %}
            cast(null as varchar) as raw_read_error
        from read_csv({{ sql_string(path) }}, {{ options }}, ignore_errors = true)
        union all
        select
            {%- for column, output in wanted.items() %}
            cast(null as varchar) as {{ output }},
            {%- endfor %}
            error_type || ' at line ' || cast(line as varchar) || ' of {{ path }}: '
            || left(error_message, 200) as raw_read_error
        from {{ errors_table }}
    ) as csv_records
{% endmacro %}

{#
    DuckDB's strict parser stops on a CSV whose records end some in CRLF and
    some in LF, with an error that names the model. This names the file and
    a line of each kind instead. Read line by line with new_line '\n', a CRLF
    shows as the line plus an empty one; a line ends a record when the
    quotes before its end balance, so the LF inside a quoted field of an
    Excel file (CRLF records) is no mix. The last line may lack an ending.
#}
{% macro check_csv_line_endings(path, name) %}
    {%- set found = run_query(
        "with lines as (select row_number() over () as n, line from read_csv("
        ~ sql_string(path) ~ ", columns = {'line': 'varchar'}, header = false, "
        ~ "delim = '\x1f', quote = '', escape = '', auto_detect = false, new_line = '\\n', "
        ~ "strict_mode = false, ignore_errors = true, max_line_size = " ~ raw_max_line_size() ~ ")), "
        ~ "marked as (select n, line, "
        ~ "lead(n) over (order by n) is not null and lead(line) over (order by n) is null as crlf, "
        ~ "sum(coalesce(length(line) - length(replace(line, '\"', '')), 0)) over (order by n) % 2 = 0 "
        ~ "as ends_record, count(line) over (order by n) as line_number from lines) "
        ~ "select min(line_number) filter (where crlf), min(line_number) filter (where not crlf) "
        ~ "from marked where line is not null and ends_record "
        ~ "and line_number < (select count(line) from lines)"
    ).rows[0] -%}
    {%- if found[0] is not none and found[1] is not none -%}
        {{ exceptions.raise_compiler_error(
            "raw table '" ~ name ~ "' (" ~ path ~ "): records end in both CRLF and LF (line "
            ~ found[0] ~ " in CRLF, line " ~ found[1] ~ " in LF); re-save the file with one "
            ~ "kind of line ending") }}
    {%- endif -%}
{% endmacro %}

{#
    Spark reads the same files through temporary views of its own CSV and
    Parquet sources (the session lives as long as the dbt invocation). The
    schema is the header's names, all text, in the header's order; a record
    Spark cannot read (a field too many or too few) comes back in
    _corrupt_record and becomes a row whose raw_read_error quotes it, for
    quarantine to reject, as on DuckDB. What differs from DuckDB: Spark has
    no line numbers, and it decodes a byte that is not UTF-8 as U+FFFD
    instead of rejecting the record (docs/spark.md).
#}

{% macro spark__read_raw_file(name, path, columns, report, optional_columns) %}
    {%- if var('incremental', false) -%}
        {{ exceptions.raise_compiler_error(
            "the incremental path is not built on Spark yet (its delete+insert needs Delta): "
            ~ "build without var incremental on the spark target (docs/spark.md)") }}
    {%- endif -%}
    {%- set view = "trainset_raw__" ~ name -%}
    {%- set empty = empty_raw_table(columns) -%}
    {%- set is_parquet = path.endswith('.parquet') -%}
    {%- if is_parquet -%}
        {%- do run_query("create or replace temporary view " ~ view
            ~ " using parquet options (path " ~ sql_string(path) ~ ")") -%}
        {%- set header = run_query("select * from " ~ view ~ " limit 0").column_names
            | map('lower') | list -%}
    {%- else -%}
        {%- set directory, _, file = path.rpartition('/') -%}
        {%- if spark_file_sizes(directory, file).values() | first == 0 -%}
            {{ return(empty) }}
        {%- endif -%}
        {%- set header = csv_header(path) | map('lower') | list -%}
    {%- endif -%}
    {%- do check_raw_header(name, path, columns, header, report, optional_columns) -%}
    {%- set present = columns | select('in', header) | list -%}

    {%- if is_parquet -%}
        {%- set query = columns_as_text(present, view, row_sequence()) -%}
    {%- else -%}
        {%- set schema = [] -%}
        {%- for column in header -%}
            {%- do schema.append("`" ~ column | replace("`", "``") ~ "` string") -%}
        {%- endfor -%}
        {%- do run_query(
            "create or replace temporary view " ~ view ~ " (" ~ schema | join(', ')
            ~ ", _corrupt_record string) using csv options (path " ~ sql_string(path)
            ~ ", header 'true', multiLine 'true', quote '\"', escape '\"', encoding 'UTF-8', "
            ~ "mode 'PERMISSIVE', columnNameOfCorruptRecord '_corrupt_record')") -%}
        {%- set query -%}
    select
        {%- for column in present %}
        case when _corrupt_record is null then `{{ column }}` end as {{ column }},
        {%- endfor %}
        case
            when _corrupt_record is not null
                then 'MALFORMED_RECORD in {{ path }}: ' || left(_corrupt_record, 200)
        end as raw_read_error,
        {{ row_sequence() }} as raw_row_number
    from {{ view }}
        {%- endset -%}
    {%- endif -%}
    {{ return(query if present | length == columns | length
        else with_absent_columns(query, columns, header)) }}
{% endmacro %}

{# Sizes in bytes of the files in directory that match glob, by extension. #}
{% macro spark_file_sizes(directory, glob) %}
    {%- do run_query(
        "create or replace temporary view trainset_raw_files using binaryFile options (path "
        ~ sql_string(directory or '.') ~ ", pathGlobFilter " ~ sql_string(glob) ~ ")") -%}
    {%- set sizes = {} -%}
    {%- for row in run_query("select path, length from trainset_raw_files") -%}
        {%- do sizes.update({row[0].rpartition('.')[2]: row[1]}) -%}
    {%- endfor -%}
    {{ return(sizes) }}
{% endmacro %}
