{#
    Splits come from a salted hash bucket of a key (hash_fraction), so the
    same key always lands in the same split and adding keys never moves an
    existing one. split_hash gives the bucket; split_from_hash cuts it at the
    cumulative fractions. Fractions and salt are vars.
#}
{% macro split_hash(key_expression) %}
    {{- hash_fraction("'" ~ var('split_salt') ~ "|' || " ~ key_expression) -}}
{% endmacro %}

{% macro split_from_hash(hash_column) %}
    {%- set train = var('split_train_fraction') | float -%}
    {%- set validation = var('split_validation_fraction') | float -%}
    {%- set test = var('split_test_fraction') | float -%}
    {%- if (train + validation + test - 1.0) | abs > 0.000001 -%}
        {{ exceptions.raise_compiler_error(
            "split fractions must add up to 1, got train " ~ train
            ~ " + validation " ~ validation ~ " + test " ~ test) }}
    {%- endif -%}
    case
        when {{ hash_column }} < {{ train }} then 'train'
        when {{ hash_column }} < {{ train + validation }} then 'validation'
        else 'test'
    end
{% endmacro %}
