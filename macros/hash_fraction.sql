{#
    A number in [0, 1) from the md5 of an expression: the first 32 bits of
    the digest over 2^32. md5 exists with the same output on every engine we
    support, so a key lands in the same bucket on DuckDB and on Spark.
#}
{% macro hash_fraction(expression) %}
    {{ return(adapter.dispatch('hash_fraction', 'trainset')(expression)) }}
{% endmacro %}

{% macro duckdb__hash_fraction(expression) %}
    cast(('0x' || substr(md5(cast({{ expression }} as varchar)), 1, 8)) as ubigint)
    / 4294967296.0
{% endmacro %}

{% macro spark__hash_fraction(expression) %}
    cast(conv(substr(md5(cast({{ expression }} as string)), 1, 8), 16, 10) as double)
    / 4294967296.0
{% endmacro %}
