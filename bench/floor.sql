-- The floor: ticket_triage v2 in one DuckDB statement, straight from the raw
-- files of a clean desk ({raw_dir}, {seeds_dir} filled in by the benchmark).
-- No staging, no quarantine, no tests: what the dataset costs the engine
-- alone. On a desk without damage it gives the dbt build's rows
-- (bench/run.py checks that at the smallest size). The masking macros do
-- what macros/mask_pii.sql does, with its patterns: the parts outside kept
-- versions are masked; cards only when Luhn-valid.
create or replace temp macro pii_luhn_ok(card) as
    list_sum(list_transform(
        regexp_extract_all(reverse(regexp_replace(card, '[^0-9]', '', 'g')), '[0-9][0-9]?'),
        lambda pair: instr('0123456789', substr(pair, 1, 1))
            + instr('0516273849', substr(pair, 2, 1)) - 2
    )) % 10 = 0;
create or replace temp macro pii_cards(text, pattern) as
    case when regexp_matches(text, pattern) then array_to_string(list_transform(
        list_zip(regexp_split_to_array(text, pattern), regexp_extract_all(text, pattern)),
        lambda part: concat(part[1], case when pii_luhn_ok(part[2]) then '<card>' else part[2] end)
    ), '') else text end;
create or replace temp macro pii_mask_part(text) as
    regexp_replace(regexp_replace(pii_cards(regexp_replace(text,
        '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:[.][A-Za-z0-9-]+)*[.][A-Za-z]{2,}', '<email>', 'g'),
        '\b(?:[2-6][0-9]{12,18}|[2-6][0-9]{3}(?: [0-9]{4}){3}|[2-6][0-9]{3}(?:-[0-9]{4}){3}'
        || '|3[47][0-9]{2} [0-9]{6} [0-9]{5}|3[47][0-9]{2}-[0-9]{6}-[0-9]{5})\b'),
        '(?:[+][1-9](?:[ ().-]{0,2}[0-9]){7,14}|[(][0-9]{2,5}[)] ?[0-9]{3,5}[ .-]?[0-9]{3,4}'
        || '|\b(?:1-)?[0-9]{3}-[0-9]{3}-[0-9]{4}|\b(?:1[.])?[0-9]{3}[.][0-9]{3}[.][0-9]{4}'
        || '|\b(?:1 )?[0-9]{3} [0-9]{3} [0-9]{4}|\b0[1-9](?: ?[0-9]){7,11}'
        || '|\b0[1-9](?:-?[0-9]){7,11}|\b0[1-9](?:[.]?[0-9]){7,11}'
        || '|\b0[1-9][0-9]{1,4}/[0-9]{6,9})\b', '<phone>', 'g'),
        '\b(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.]){3}'
        || '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\b', '<ip>', 'g');
create or replace temp macro pii_keep_masked(text, keep) as
    case when regexp_matches(text, keep) then array_to_string(list_transform(
        list_zip(regexp_split_to_array(text, keep), regexp_extract_all(text, keep)),
        lambda part: concat(pii_mask_part(part[1]), part[2])
    ), '') else pii_mask_part(text) end;
create or replace temp macro mask_pii(text) as pii_keep_masked(text,
    '(?:\b(?:0|[1-9][0-9]*)(?:[.][0-9]+){4,}|[@-][0-9]+(?:[.][0-9]+){3}|[0-9]+(?:[.][0-9]+){3}-[0-9A-Za-z])'
    || '|(?:(?i)\b(?:v|ver|version|build|release|rev|firmware|driver|patch|client|app|launcher'
    || '|chrome|firefox|edge|safari|opera|android|ios|windows|macos|(?:updat|upgrad)(?:e|ed|ing) to)'
    || '[ :=/]*v?[0-9]+(?:[.][0-9]+){3}\b)'
    || '|(?:(?i)\b[0-9]+(?:[.][0-9]+){3} +(?:update|patch|release|build|hotfix)\b)');

with

players as (
    select
        player_id,
        lower(platform) as platform,
        lower(language) as language,
        cast(cast(registered_at as timestamptz) as timestamp) as registered_at
    from read_parquet('{raw_dir}/players.parquet')
),

tickets as (
    select
        ticket_id,
        player_id,
        nullif(trim(subject), '') as subject,
        nullif(trim(product), '') as product,
        lower(channel) as channel,
        lower(status) as status,
        cast(cast(created_at as timestamptz) as timestamp) as created_at
    from read_parquet('{raw_dir}/tickets.parquet')
),

categories as (
    select * from read_csv('{seeds_dir}/resolution_categories.csv', header = true)
),

resolutions as (
    select
        r.ticket_id,
        r.resolution_id,
        c.category,
        coalesce(c.is_trainable, false) as is_trainable,
        cast(cast(r.resolved_at as timestamptz) as timestamp) as resolved_at
    from read_parquet('{raw_dir}/ticket_resolutions.parquet') as r
    left join categories as c on upper(r.resolution_code) = c.resolution_code
),

final_resolutions as (
    select ticket_id, category, is_trainable
    from resolutions
    qualify row_number() over (
        partition by ticket_id order by resolved_at desc, resolution_id desc
    ) = 1
),

first_messages as (
    select
        ticket_id,
        trim(body, chr(32) || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)) as body
    from read_parquet('{raw_dir}/ticket_messages.parquet')
    where
        lower(author_role) = 'player'
        and trim(body, chr(32) || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)) <> ''
    qualify row_number() over (
        partition by ticket_id
        order by cast(cast(created_at as timestamptz) as timestamp), message_id
    ) = 1
),

eligible as (
    select
        t.ticket_id,
        t.player_id,
        mask_pii(t.subject) as subject,
        mask_pii(m.body) as first_message,
        t.channel,
        t.product,
        f.category,
        t.created_at
    from tickets as t
    inner join final_resolutions as f on t.ticket_id = f.ticket_id
    inner join first_messages as m on t.ticket_id = m.ticket_id
    where t.status in ('solved', 'closed') and f.is_trainable
),

purchases as (
    select
        player_id,
        cast(amount_usd as decimal(18, 2)) as amount_usd,
        cast(cast(purchased_at as timestamptz) as timestamp) as purchased_at,
        cast(cast(refunded_at as timestamptz) as timestamp) as refunded_at
    from read_parquet('{raw_dir}/purchases.parquet')
),

purchase_windows as (
    select
        e.ticket_id,
        count(*) filter (where p.purchased_at < e.created_at) as purchases_before,
        sum(p.amount_usd) filter (
            where p.purchased_at >= e.created_at - interval 30 day
            and p.purchased_at < e.created_at
            and (p.refunded_at is null or p.refunded_at >= e.created_at)
        ) as spend_usd_30d,
        count(*) filter (
            where p.refunded_at >= e.created_at - interval 90 day
            and p.refunded_at < e.created_at
        ) as refunds_90d
    from eligible as e
    inner join purchases as p on e.player_id = p.player_id
    group by e.ticket_id
),

prior_tickets as (
    select e.ticket_id, count(*) as prior_tickets_90d
    from eligible as e
    inner join tickets as o
        on e.player_id = o.player_id
        and o.created_at >= e.created_at - interval 90 day
        and o.created_at < e.created_at
    group by e.ticket_id
),

last_resolutions as (
    select e.ticket_id, r.category as last_resolution_category
    from eligible as e
    inner join tickets as o on e.player_id = o.player_id and e.ticket_id <> o.ticket_id
    inner join resolutions as r on o.ticket_id = r.ticket_id and r.resolved_at < e.created_at
    where r.category is not null
    qualify row_number() over (
        partition by e.ticket_id order by r.resolved_at desc, r.resolution_id desc
    ) = 1
)

select
    e.ticket_id,
    e.subject,
    e.first_message,
    e.channel,
    e.product,
    p.platform,
    p.language,
    l.last_resolution_category,
    greatest(cast(floor((epoch(e.created_at) - epoch(p.registered_at)) / 86400) as integer), 0)
        as account_age_days,
    cast(coalesce(w.purchases_before, 0) as integer) as purchases_before,
    cast(coalesce(w.spend_usd_30d, 0) as decimal(18, 2)) as spend_usd_30d,
    cast(coalesce(w.refunds_90d, 0) as integer) as refunds_90d,
    cast(coalesce(t.prior_tickets_90d, 0) as integer) as prior_tickets_90d,
    e.category,
    case
        when h.bucket < {train} then 'train'
        when h.bucket < {train_plus_validation} then 'validation'
        else 'test'
    end as split,
    e.created_at
from eligible as e
inner join players as p on e.player_id = p.player_id
inner join (
    select
        player_id,
        cast(('0x' || substr(md5('{salt}|' || player_id), 1, 8)) as ubigint) / 4294967296.0
            as bucket
    from players
) as h on e.player_id = h.player_id
left join purchase_windows as w on e.ticket_id = w.ticket_id
left join prior_tickets as t on e.ticket_id = t.ticket_id
left join last_resolutions as l on e.ticket_id = l.ticket_id
