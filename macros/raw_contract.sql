{#
    The raw desk contract is declared once, as the dbt sources in
    models/staging/desk/_desk__sources.yml; these read it from the graph.
    While dbt parses, the graph is empty and the lists are too: the models
    only need them when they run.
#}
{% macro raw_source(table_name) %}
    {%- for node in (graph.get('sources') or {}).values() -%}
        {%- if node.source_name == 'desk' and node.name == table_name -%}
            {{ return(node) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}

{# The table's columns, in the declared order. #}
{% macro raw_table_columns(table_name) %}
    {%- set source = raw_source(table_name) -%}
    {{ return(source.columns.keys() | list if source else []) }}
{% endmacro %}

{# The columns that may be missing from the file (meta optional). #}
{% macro raw_optional_columns(table_name) %}
    {%- set source = raw_source(table_name) -%}
    {%- set optional = [] -%}
    {%- for name, column in (source.columns if source else {}).items() -%}
        {%- if (column.meta or {}).get('optional') -%}
            {%- do optional.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(optional) }}
{% endmacro %}

{# True for a table that may be missing from raw_dir (meta optional). #}
{% macro raw_table_is_optional(table_name) %}
    {%- set source = raw_source(table_name) -%}
    {{ return(source is not none and (source.meta or {}).get('optional', false)) }}
{% endmacro %}

{#
    The raw text of each contract column, as raw_<column>, for the typed
    CTE of a base model: `relation` is its import CTE.
#}
{% macro raw_text_columns(relation, table_name) -%}
    {%- for column in raw_table_columns(table_name) %}
        {{ relation }}.{{ column }} as raw_{{ column }},
    {%- endfor %}
{%- endmacro %}
