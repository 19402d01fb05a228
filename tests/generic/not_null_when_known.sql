{#
    not_null, for a feature that a desk may not know at all: its rows with
    a null value fail only when known_if (a relation: the source the
    feature comes from) has rows. ticket_triage's purchase features are
    null on a desk with no purchases, never on one with them.
#}
{% test not_null_when_known(model, column_name, known_if) %}

with

tested as (
    select * from {{ model }}
),

known as (
    select count(*) as known_rows
    from (select 1 as known_row from {{ known_if }} limit 1) as any_row
),

failing as (
    select tested.*
    from tested
    cross join known
    where tested.{{ column_name }} is null and known.known_rows > 0
)

select * from failing

{% endtest %}
