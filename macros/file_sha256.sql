{#
    The sha256 (hex) of a file's bytes, as a scalar subquery: the taxonomy's
    provenance.
#}
{% macro file_sha256(path) %}
    {{ return(adapter.dispatch('file_sha256', 'trainset')(path)) }}
{% endmacro %}

{% macro duckdb__file_sha256(path) -%}
    (select sha256(content) from read_blob({{ sql_string(path) }}))
{%- endmacro %}

{% macro spark__file_sha256(path) -%}
    (select sha2(content, 256) from binaryFile.`{{ path }}`)
{%- endmacro %}
