{#
    A value below its floor: a negative duration, or an event stamped
    before the one it follows. minimum is any SQL expression on the same
    row, a literal (0) or another column (created_at). Lists each row
    below it; nulls are not checked (not_null does that).
#}
{% test at_least(model, column_name, minimum) %}

select
    {{ column_name }} as value,
    {{ minimum }} as minimum
from {{ model }}
where {{ column_name }} < {{ minimum }}

{% endtest %}
