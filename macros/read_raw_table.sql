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
#}
{% macro read_raw_table(table_name, columns, report=false) %}
    {{ return(adapter.dispatch('read_raw_table', 'trainset')(table_name, columns, report)) }}
{% endmacro %}

{% macro raw_table_path(table_name) %}
    {%- set raw_dir = var('raw_dir') | string -%}
    {{ return(raw_dir.rstrip('/') ~ '/' ~ table_name) }}
{% endmacro %}

{% macro sql_string(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{#- The largest line a CSV record may span: 5 MB message bodies fit. -#}
{% macro raw_max_line_size() %}{{ return(64 * 1024 * 1024) }}{% endmacro %}

{% macro duckdb__read_raw_table(table_name, columns, report=false) %}
    {%- set stem = raw_table_path(table_name) -%}
    {%- set errors_table = 'raw_read_errors__' ~ table_name -%}
    {%- set empty -%}
        select
            {%- for column in columns %}
            cast(null as varchar) as {{ column }},
            {%- endfor %}
            cast(null as varchar) as raw_read_error
        where 1 = 0
    {%- endset -%}
    {%- if not execute -%}
        {{ return(empty) }}
    {%- endif -%}
    {%- set found = run_query(
        "select (select count(*) from glob(" ~ sql_string(stem ~ ".parquet") ~ ")),"
        ~ " (select count(*) from glob(" ~ sql_string(stem ~ ".csv") ~ "))"
    ).rows[0] -%}
    {%- if found[0] == 0 and found[1] == 0 -%}
        {{ exceptions.raise_compiler_error(
            "raw table '" ~ table_name ~ "' not found: looked for " ~ stem
            ~ ".parquet and " ~ stem ~ ".csv (var raw_dir = " ~ var('raw_dir') ~ ")") }}
    {%- endif -%}

    {%- if found[0] > 0 -%}
        {%- set path = stem ~ ".parquet" -%}
        {%- set reader = "read_parquet(" ~ sql_string(path) ~ ")" -%}
        {%- set header = run_query("select column_name from (describe select * from "
            ~ reader ~ ")").columns[0].values() | map('lower') | list -%}
    {%- else -%}
        {%- set path = stem ~ ".csv" -%}
        {%- set size = run_query(
            "select size from read_blob(" ~ sql_string(path) ~ ")").rows[0][0] -%}
        {%- if size == 0 -%}
            {{ return(empty) }}
        {%- endif -%}
        {#- The header line, read as one text field. -#}
        {%- set first = run_query(
            "select ltrim(line, chr(65279)) from read_csv(" ~ sql_string(path)
            ~ ", columns = {'line': 'varchar'}, "
            ~ "header = false, delim = '\x1f', quote = '', escape = '', auto_detect = false, "
            ~ "ignore_errors = true, max_line_size = " ~ raw_max_line_size() ~ ") limit 1"
        ).rows[0][0] or '' -%}
        {%- set header = [] -%}
        {%- for name in first.split(',') -%}
            {%- do header.append(name.strip().strip('"').strip().lower()) -%}
        {%- endfor -%}
    {%- endif -%}

    {%- set missing = columns | reject('in', header) | list -%}
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

    {%- if found[0] > 0 %}
    select
        {%- for column in columns %}
        cast({{ column }} as varchar) as {{ column }},
        {%- endfor %}
        cast(null as varchar) as raw_read_error
    from {{ reader }}
    {%- else -%}
        {%- set types = [] -%}
        {%- for name in header -%}
            {%- do types.append(sql_string(name) ~ ": 'varchar'") -%}
        {%- endfor -%}
        {%- set options = "header = true, auto_detect = false, columns = {"
            ~ types | join(', ') ~ "}, delim = ',', quote = '\"', escape = '\"', "
            ~ "max_line_size = " ~ raw_max_line_size() -%}
        {%- if report -%}
            {#- Scan every field once, so DuckDB records each unreadable line. -#}
            {%- do run_query(
                "select count(concat_ws('|', " ~ header | map('tojson') | join(', ')
                ~ ")) from read_csv(" ~ sql_string(path) ~ ", " ~ options
                ~ ", store_rejects = true, rejects_table = 'trainset_rejects_" ~ table_name
                ~ "', rejects_scan = 'trainset_reject_scans_" ~ table_name ~ "')") -%}
            {#- One row per unreadable record, though DuckDB may list several
                errors for it. -#}
            {%- do run_query(
                "create or replace table " ~ target.schema ~ "." ~ errors_table ~ " as "
                ~ "select line, string_agg(distinct error_type::varchar, ', ') as error_type, "
                ~ "min(error_message) as error_message, min(csv_line) as csv_line "
                ~ "from trainset_rejects_" ~ table_name ~ " group by line") -%}
        {%- endif %}
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        cast(null as varchar) as raw_read_error
    from read_csv({{ sql_string(path) }}, {{ options }}, ignore_errors = true)
    union all
    select
        {%- for column in columns %}
        cast(null as varchar) as {{ column }},
        {%- endfor %}
        error_type || ' at line ' || cast(line as varchar) || ' of {{ path }}: '
        || left(error_message, 200) as raw_read_error
    from {{ target.schema }}.{{ errors_table }}
    {%- endif %}
{% endmacro %}
