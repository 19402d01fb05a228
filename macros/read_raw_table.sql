{#
    The raw desk export is read straight from files, never loaded as seeds,
    so a multi-gigabyte export streams through the engine. Every column comes
    back as text: typing, and quarantine of what does not type, is the job of
    the staging models. Parquet wins over CSV when both exist.
#}
{% macro read_raw_table(table_name, columns) %}
    {{ return(adapter.dispatch('read_raw_table', 'trainset')(table_name, columns)) }}
{% endmacro %}

{% macro raw_table_path(table_name) %}
    {%- set raw_dir = var('raw_dir') | string -%}
    {{ return(raw_dir.rstrip('/') ~ '/' ~ table_name) }}
{% endmacro %}

{% macro duckdb__read_raw_table(table_name, columns) %}
    {%- set stem = raw_table_path(table_name) -%}
    {%- set reader = "read_csv('" ~ stem ~ ".csv', header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"')" -%}
    {%- if execute -%}
        {%- set found = run_query(
            "select (select count(*) from glob('" ~ stem ~ ".parquet')),"
            ~ " (select count(*) from glob('" ~ stem ~ ".csv'))"
        ).rows[0] -%}
        {%- if found[0] > 0 -%}
            {%- set reader = "read_parquet('" ~ stem ~ ".parquet')" -%}
        {%- elif found[1] == 0 -%}
            {{ exceptions.raise_compiler_error(
                "raw table '" ~ table_name ~ "' not found: looked for "
                ~ stem ~ ".parquet and " ~ stem ~ ".csv (var raw_dir = "
                ~ var('raw_dir') ~ ")") }}
        {%- endif -%}
    {%- endif %}
    select
        {%- for column in columns %}
        cast({{ column }} as varchar) as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ reader }}
{% endmacro %}
