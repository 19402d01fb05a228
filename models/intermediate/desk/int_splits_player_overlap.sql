-- For the dataset card: how many validation and test tickets belong to a
-- player with train tickets (none under the player-hash split).
{{ config(materialized='view', meta={'provenance': 'split_overlap'}) }}

{{ split_overlap_shares(
    ref('int_tickets_with_features'), 'split', 'player_id'
) }}
