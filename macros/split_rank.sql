{#
    A split's place in the order train, validation, test (1, 2, 3), or in
    the given order; null for a split not in it.
#}
{% macro split_rank(split_column, splits=['train', 'validation', 'test']) -%}
    case {{ split_column }}
        {%- for split in splits %}
        when '{{ split }}' then {{ loop.index }}
        {%- endfor %}
    end
{%- endmacro %}
