{#
    Features of a ticket's player as known strictly before the ticket was
    created (T = created_at), for every ticket: training and scoring. Every join bounds its events by T, so events
    after T cannot change a value.
#}
{{ config(unique_key='ticket_id') }}

with

-- On an incremental run, the tickets new to this table or loaded again:
-- the features of the others cannot change, since every window ends at
-- the ticket's creation and the history only grows after it.
featured_tickets as (
    select * from {{ ref('int_tickets_to_featurize') }}
    {%- if is_incremental() %}
    where
        {{ loaded_since_last_run('loaded_at') }}
        or ticket_id not in (select this_run.ticket_id from {{ this }} as this_run)
    {%- endif %}
),

players as (
    select * from {{ ref('stg_desk__players') }}
),

purchases as (
    select * from {{ ref('stg_desk__purchases') }}
),

tickets as (
    select * from {{ ref('stg_desk__tickets') }}
),

ticket_resolutions as (
    select * from {{ ref('stg_desk__ticket_resolutions') }}
),

resolution_categories as (
    select * from {{ ref('stg_desk__resolution_categories') }}
),

raw_tables as (
    select * from {{ ref('base_desk__raw_tables') }}
),

-- A desk whose export has no purchases file knows nothing of purchases:
-- its purchase features are null, not zero. Decided by the file, never by
-- its rows: whether a purchase exists yet would depend on the future.
purchase_history as (
    select raw_tables.is_present as has_purchases
    from raw_tables
    where raw_tables.table_name = 'purchases'
),

account_ages as (
    select
        featured_tickets.ticket_id,
        -- Null when the player's registration time is unknown.
        case
            when players.registered_at is not null
                then greatest(
                    cast(floor(
                        {{ seconds_between(
                            'players.registered_at',
                            'featured_tickets.created_at'
                        ) }} / 86400
                    ) as integer),
                    0
                )
        end as account_age_days
    from featured_tickets
    inner join players
        on featured_tickets.player_id = players.player_id
),

purchase_windows as (
    select
        featured_tickets.ticket_id,
        count(
            case
                when purchases.purchased_at < featured_tickets.created_at
                    then 1
            end
        ) as purchases_before,
        sum(
            case
                when
                    purchases.purchased_at
                    >= {{ days_before('featured_tickets.created_at', 30) }}
                    and purchases.purchased_at < featured_tickets.created_at
                    and (
                        purchases.refunded_at is null
                        or purchases.refunded_at >= featured_tickets.created_at
                    )
                    then purchases.amount_usd
                else 0
            end
        ) as spend_usd_30d,
        count(
            case
                when
                    purchases.refunded_at
                    >= {{ days_before('featured_tickets.created_at', 90) }}
                    and purchases.refunded_at < featured_tickets.created_at
                    then 1
            end
        ) as refunds_90d
    from featured_tickets
    inner join purchases
        on featured_tickets.player_id = purchases.player_id
    group by featured_tickets.ticket_id
),

prior_tickets as (
    select
        featured_tickets.ticket_id,
        count(*) as prior_tickets_90d
    from featured_tickets
    inner join tickets as other_tickets
        on
            featured_tickets.player_id = other_tickets.player_id
            and featured_tickets.ticket_id <> other_tickets.ticket_id
            and {{ days_before('featured_tickets.created_at', 90) }}
            <= other_tickets.created_at
            and featured_tickets.created_at > other_tickets.created_at
    group by featured_tickets.ticket_id
),

prior_resolutions_ranked as (
    select
        featured_tickets.ticket_id,
        resolution_categories.category,
        row_number() over (
            partition by featured_tickets.ticket_id
            order by
                ticket_resolutions.resolved_at desc,
                ticket_resolutions.resolution_id desc
        ) as resolution_rank
    from featured_tickets
    inner join tickets as other_tickets
        on
            featured_tickets.player_id = other_tickets.player_id
            and featured_tickets.ticket_id <> other_tickets.ticket_id
    inner join ticket_resolutions
        on
            other_tickets.ticket_id = ticket_resolutions.ticket_id
            and featured_tickets.created_at > ticket_resolutions.resolved_at
    inner join resolution_categories
        on
            ticket_resolutions.resolution_code
            = resolution_categories.resolution_code
),

features as (
    select
        featured_tickets.ticket_id,
        prior_resolutions_ranked.category as last_resolution_category,
        account_ages.account_age_days,
        case
            when purchase_history.has_purchases
                then cast(
                    coalesce(purchase_windows.purchases_before, 0) as integer
                )
        end as purchases_before,
        case
            when purchase_history.has_purchases
                then cast(
                    coalesce(purchase_windows.spend_usd_30d, 0)
                    as decimal(18, 2)
                )
        end as spend_usd_30d,
        case
            when purchase_history.has_purchases
                then cast(coalesce(purchase_windows.refunds_90d, 0) as integer)
        end as refunds_90d,
        cast(coalesce(prior_tickets.prior_tickets_90d, 0) as integer)
            as prior_tickets_90d,
        featured_tickets.loaded_at
    from featured_tickets
    inner join account_ages
        on featured_tickets.ticket_id = account_ages.ticket_id
    cross join purchase_history
    left join purchase_windows
        on featured_tickets.ticket_id = purchase_windows.ticket_id
    left join prior_tickets
        on featured_tickets.ticket_id = prior_tickets.ticket_id
    left join prior_resolutions_ranked
        on
            featured_tickets.ticket_id = prior_resolutions_ranked.ticket_id
            and prior_resolutions_ranked.resolution_rank = 1
)

select * from features
