{#
    One row per desk source table: the file the build reads (Parquet wins),
    or null when it is absent, and whether the contract lets it be absent.
#}
{% macro raw_tables_found() %}
{%- set tables = [] %}
{%- for node in (graph.get('sources') or {}).values() | sort(attribute='name') %}
    {%- if node.source_name == 'desk' %}
        {%- do tables.append(node.name) %}
    {%- endif %}
{%- endfor %}

    {%- if not execute or not tables %}
    select
        cast(null as {{ dbt.type_string() }}) as table_name,
        cast(null as {{ dbt.type_string() }}) as file_path,
        cast(null as boolean) as is_optional,
        cast(null as boolean) as is_present
    where 1 = 0
    {%- else %}
        {%- for table_name in tables %}
            {%- set stem = raw_table_path(table_name) %}
            {%- if raw_file_exists(stem ~ '.parquet') %}
                {%- set path = stem ~ '.parquet' %}
            {%- elif raw_file_exists(stem ~ '.csv') %}
                {%- set path = stem ~ '.csv' %}
            {%- else %}
                {%- set path = none %}
            {%- endif %}
    select
        {{ sql_string(table_name) }} as table_name,
        cast({{ sql_string(path) if path else 'null' }}
            as {{ dbt.type_string() }}) as file_path,
        {{ raw_table_is_optional(table_name) }} as is_optional,
        {{ path is not none }} as is_present
            {%- if not loop.last %}
    union all
            {%- endif %}
        {%- endfor %}
    {%- endif %}
{% endmacro %}
