{#
    Reads the CFPB complaint export (var cfpb_path) with its original column
    names, every column as text, plus raw_read_error (see read_csv_records:
    a record DuckDB cannot read comes back as a row to reject). Real files carry lines before the header
    (the sample starts with two lines of unzip's output), so the header is
    found first: the first of the file's opening lines that starts with
    "Date received". CRLF or LF, quoted newlines and UTF-8 are DuckDB's
    own CSV reader's work.
#}
{% macro cfpb_columns() %}
    {{ return({
        'Date received': 'date_received',
        'Product': 'product',
        'Sub-product': 'sub_product',
        'Issue': 'issue',
        'Sub-issue': 'sub_issue',
        'Consumer complaint narrative': 'narrative',
        'Company': 'company',
        'State': 'state',
        'ZIP code': 'zip_code',
        'Tags': 'tags',
        'Consumer consent provided?': 'consumer_consent',
        'Submitted via': 'submitted_via',
        'Complaint ID': 'complaint_id',
    }) }}
{% endmacro %}

{% macro read_cfpb_export(report=false) %}
    {{ return(adapter.dispatch('read_cfpb_export', 'trainset')(report)) }}
{% endmacro %}

{% macro duckdb__read_cfpb_export(report=false) %}
    {%- set path = var('cfpb_path') | string -%}
    {%- if not execute -%}
        {{ return(empty_raw_table(cfpb_columns().values() | list)) }}
    {%- endif -%}
    {%- set found = run_query(
        "select min(line_number) - 1 from (select row_number() over () as line_number, "
        ~ "line from read_csv(" ~ sql_string(path) ~ ", columns = {'line': 'varchar'}, "
        ~ "header = false, delim = '\x1f', quote = '', escape = '', auto_detect = false, "
        ~ "ignore_errors = true, strict_mode = false) limit 50) "
        ~ "where ltrim(line, '\"' || chr(65279)) like 'Date received%'"
    ).rows[0][0] -%}
    {%- if found is none -%}
        {{ exceptions.raise_compiler_error(
            "no CFPB header ('Date received,...') in the first 50 lines of " ~ path) }}
    {%- endif -%}
    {%- set header = csv_header(path, skip=found) -%}
    {%- set missing = cfpb_columns().keys() | reject('in', header) | list -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            "CFPB export " ~ path ~ ": column(s) " ~ missing | join(', ')
            ~ " missing from the header") }}
    {%- endif -%}
    {{ read_csv_records(path, header, cfpb_columns(), 'cfpb_complaints', report, skip=found) }}
{% endmacro %}

{#- Spark's CSV source cannot skip the lines before the CFPB header, so
    complaint_routing is DuckDB only for now (docs/spark.md). -#}
{% macro spark__read_cfpb_export(report=false) %}
    {%- if execute -%}
        {{ exceptions.raise_compiler_error(
            "complaint_routing is not built on Spark yet: leave var cfpb_path empty "
            ~ "on the spark target, or build it on DuckDB") }}
    {%- endif -%}
    {{ empty_raw_table(cfpb_columns().values() | list) }}
{% endmacro %}

{#
    A date written as ISO (2019-09-24) or as a spreadsheet re-saves it
    (2019/9/24); anything else gives null.
#}
{% macro parse_loose_date(expression) -%}
    {%- set pattern = '^([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})$' -%}
    {%- set value = trim_whitespace(expression) -%}
    case
        when {{ regexp_contains(value, pattern) }}
            then try_cast(
                regexp_extract({{ value }}, '{{ pattern }}', 1) || '-'
                || lpad(regexp_extract({{ value }}, '{{ pattern }}', 2), 2, '0') || '-'
                || lpad(regexp_extract({{ value }}, '{{ pattern }}', 3), 2, '0')
                as date
            )
    end
{%- endmacro %}

{#
    The text a complaint's split is hashed from: the normalized narrative
    without the words a spreadsheet's re-encoding damages (any word holding a
    non-ASCII character or an underscore), so a re-saved export splits the
    same way as the original.
#}
{% macro narrative_split_key(expression) -%}
    {{ regexp_replace_all(
        regexp_replace_all(normalize_text(expression), '[^ ]*[^ -^`-~][^ ]*', ''),
        ' +', ' '
    ) }}
{%- endmacro %}
