{#
    Grouping rows by a long text costs far more than grouping them by the
    text's 64-bit hash (2.4 to 2.8 times as long for no_conflicting_labels
    at 10M tickets, docs/benchmarks.md). The exact tests therefore find the
    groups that matter by hash first and group by the text itself only
    there. One text has one hash, so a hash's group passes whenever one of
    its texts' groups would (the caller's `having` must hold that: a count
    that only grows, a min and max that only spread), and a colliding pair
    of texts comes apart in the caller's exact grouping.

    key_hashes(source, key, having, where): a select of the hashes
    (key_hash) of `key` over `source` whose group passes `having`.
    key_hash_in(key, cte): the rows of `key` whose hash that CTE holds.
#}
{% macro key_hashes(source, key, having, where=none) -%}
    select {{ hash64([key]) }} as key_hash
    from {{ source }}
    {%- if where %}
    where {{ where }}
    {%- endif %}
    group by {{ hash64([key]) }}
    having {{ having }}
{%- endmacro %}

{% macro key_hash_in(key, cte) -%}
    {{ hash64([key]) }} in (select {{ cte }}.key_hash from {{ cte }})
{%- endmacro %}
