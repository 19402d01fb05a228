{#
    Texts that are empty-ish ("?") or enormous (a pasted log) are noise for
    a text model and can blow up tokenization. Lists each text whose length
    in characters is outside [min_length, max_length], cut to 100
    characters, with its length. Warns by default.
#}
{% test text_length_between(model, column_name, min_length=1, max_length=5000) %}

{{ config(severity='warn') }}

select
    substr({{ column_name }}, 1, 100) as text_start,
    length({{ column_name }}) as text_length
from {{ model }}
where
    length({{ column_name }}) < {{ min_length }}
    or length({{ column_name }}) > {{ max_length }}

{% endtest %}
