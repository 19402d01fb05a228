{#
    The share of each later split's rows whose entity (a player) also has
    train rows. Zero by construction under a split by player hash; under a
    time split a model may learn the player rather than the ticket. Lists
    each later split whose share is above max_fraction. Warns by default.
#}
{% test split_entity_overlap(model, column_name, split_column='split', max_fraction=0) %}

{{ config(severity='warn') }}

with

shares as (
    {{ split_overlap_shares(model, split_column, column_name) }}
)

select * from shares
where overlap_share > {{ max_fraction }}

{% endtest %}
