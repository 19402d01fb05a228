{#
    Rows of a relation per group, with up to n examples: the distinct
    values among the group's n smallest of `example`, sorted and joined by
    ', ' (null when it has none). One select, for a CTE.
#}
{% macro counts_with_examples(relation, group_by, example, n) %}
    {{ return(adapter.dispatch('counts_with_examples', 'trainset')(relation, group_by, example, n)) }}
{% endmacro %}

{#- DuckDB keeps the n smallest per group as it aggregates; a window
    would sort every row of each group (at 10M tickets, a hundred million
    ids: 89 s against 25 s). -#}
{% macro duckdb__counts_with_examples(relation, group_by, example, n) %}
    select
        {%- for column in group_by %}
        {{ relation }}.{{ column }},
        {%- endfor %}
        count(*) as row_count,
        case
            when len(min({{ relation }}.{{ example }}, {{ n }})) > 0
                then array_to_string(
                    list_sort(list_distinct(min({{ relation }}.{{ example }}, {{ n }}))), ', '
                )
        end as example_ids
    from {{ relation }}
    group by
        {%- for column in group_by %}
        {{ relation }}.{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
{% endmacro %}

{% macro default__counts_with_examples(relation, group_by, example, n) %}
    select
        {%- for column in group_by %}
        ranked.{{ column }},
        {%- endfor %}
        count(*) as row_count,
        {{ string_agg_sorted(
            'case when ranked.example_rank <= ' ~ n ~ ' then ranked.' ~ example ~ ' end'
        ) }} as example_ids
    from (
        select
            {{ relation }}.*,
            row_number() over (
                partition by
                    {%- for column in group_by %}
                    {{ relation }}.{{ column }}{{ "," if not loop.last }}
                    {%- endfor %}
                order by {{ relation }}.{{ example }}
            ) as example_rank
        from {{ relation }}
    ) as ranked
    group by
        {%- for column in group_by %}
        ranked.{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
{% endmacro %}
