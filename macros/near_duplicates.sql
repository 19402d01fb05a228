{#
    Near-duplicate texts, set-based: MinHash signatures with banding
    (locality-sensitive hashing), then the exact Jaccard similarity of each
    candidate pair, so no reported pair is below the threshold.

    near_duplicate_pairs(texts_cte, ...) returns the CTEs that end in
    near_duplicate_pairs (text_hash_a < text_hash_b, similarity): the
    distinct texts of texts_cte (columns text_hash, text_key) whose word
    shingle sets have Jaccard similarity >= threshold. Identical keys are
    one text; the caller pairs a text with itself where it needs to.
    With group_column (a column of texts_cte: the split, the label), a
    candidate pair whose rows all share one value of it is dropped before
    the exact check, which is where the time goes: a test that looks
    across splits or labels has no use for it.

    A text is the set of its word n-grams (shingle words; a shorter text is
    one shingle), each hashed once to 64 bits. The signature is one
    permutation MinHash (Li, Owen and Zhang, 2012): the hash picks one of
    bands * rows bins, and each bin keeps its least hash, so a text costs
    one hash per shingle, not one per shingle and permutation. Two texts of
    similarity s agree on a bin that either fills with probability about
    s. A band is rows consecutive bins, keyed by the set of its filled bins
    and their minima; two texts share a band with probability about
    s^k for k filled bins in it, so at least once in `bands` bands with
    1 - (1 - s^k)^bands. With 4 bands of 8 bins, a 30-word text (k about
    4.6) is a candidate at s = 0.9 with probability about 0.98, at s = 0.8
    about 0.83, at s = 0.5 about 0.15 and at s = 0.3 about 0.02 (the exact
    check drops those). Stricter bands than this miss more true pairs;
    looser ones, on templated text, make many more candidates to check.
    A band with no filled bin has no key.

    Within a band's bucket each text is compared with the next `window`
    texts in an order hashed per band, not with all of them: a template
    repeated thousands of times would otherwise make a quadratic number of
    pairs. A bucket of up to window + 1 texts is compared in full; in a
    larger one each text still meets about 2 * window others per band, so
    the candidates grow linearly with the texts.
#}
{% macro near_duplicate_pairs(
    texts_cte, threshold=0.8, shingle=3, bands=4, rows=8, window=4,
    group_column=none
) %}
    {#- Arguments may come from vars, rendered as strings. -#}
    {%- set threshold, shingle = threshold | float, shingle | int -%}
    {%- set bands, rows, window = bands | int, rows | int, window | int -%}
    near_duplicate_texts as (
        select
            {{ texts_cte }}.text_hash,
            {{ texts_cte }}.text_key,
            {%- if group_column %}
            -- The text's one group, null when it has several.
            case
                when min({{ texts_cte }}.{{ group_column }})
                    = max({{ texts_cte }}.{{ group_column }})
                    then min({{ texts_cte }}.{{ group_column }})
            end as group_code
            {%- else %}
            cast(null as integer) as group_code
            {%- endif %}
        from {{ texts_cte }}
        where {{ texts_cte }}.text_key <> ''
        group by {{ texts_cte }}.text_hash, {{ texts_cte }}.text_key
    ),

    -- The words once per text: inside the shingles' lambda a split would
    -- run again for every shingle (five times the cost at 1M tickets).
    near_duplicate_words as (
        select
            near_duplicate_texts.text_hash,
            {{ split_words('near_duplicate_texts.text_key') }} as words
        from near_duplicate_texts
    ),

    {{ near_duplicate_signatures('near_duplicate_words', shingle, bands, rows) }}

    near_duplicate_band_rows as (
        select
            near_duplicate_band_lists.text_hash,
            {{ explode_array('near_duplicate_band_lists.band_keys') }}
                as band_key
        from near_duplicate_band_lists
    ),

    near_duplicate_band_sizes as (
        select
            near_duplicate_band_rows.text_hash,
            near_duplicate_band_rows.band_key,
            count(*) over (
                partition by near_duplicate_band_rows.band_key
            ) as bucket_size
        from near_duplicate_band_rows
        where near_duplicate_band_rows.band_key is not null
    ),

    -- A text alone in its bucket has no neighbour, and most are: the
    -- ordered window below sorts only the rest (43% of the band rows at
    -- 1M tickets), and finds the same pairs.
    near_duplicate_bands as (
        select
            near_duplicate_band_sizes.text_hash,
            near_duplicate_texts.group_code,
            near_duplicate_band_sizes.band_key
        from near_duplicate_band_sizes
        inner join near_duplicate_texts
            on near_duplicate_band_sizes.text_hash = near_duplicate_texts.text_hash
        where near_duplicate_band_sizes.bucket_size > 1
    ),

    {%- set neighbours = [] -%}
    {%- for step in range(1, window + 1) -%}
        {%- do neighbours.append(
            'lead(' ~ struct_of({'text_hash': 'near_duplicate_bands.text_hash', 'group_code': 'near_duplicate_bands.group_code'}) ~ ', ' ~ step ~ ') over bucket_order'
        ) -%}
    {%- endfor %}
    -- The window apart from the explode: Spark takes no window function
    -- inside a generator.
    near_duplicate_neighbour_lists as (
        select
            near_duplicate_bands.text_hash,
            near_duplicate_bands.group_code,
            {{ array_of(neighbours) }} as neighbours
        from near_duplicate_bands
        window bucket_order as (
            partition by near_duplicate_bands.band_key
            order by {{ hash64(
                ['near_duplicate_bands.text_hash', 'near_duplicate_bands.band_key']
            ) }}
        )
    ),

    near_duplicate_neighbours as (
        select
            near_duplicate_neighbour_lists.text_hash,
            near_duplicate_neighbour_lists.group_code,
            {{ explode_array('near_duplicate_neighbour_lists.neighbours') }}
                as neighbour
        from near_duplicate_neighbour_lists
    ),

    -- A pair whose texts each have one group, the same one, is of no use
    -- to a test that looks across groups: dropped here, with the group
    -- carried through the window, before the exact check (where the time
    -- goes) and with no join (a tenth of each test at 1M tickets).
    near_duplicate_checked as (
        select distinct
            least(
                near_duplicate_neighbours.text_hash,
                near_duplicate_neighbours.neighbour.text_hash
            ) as text_hash_a,
            greatest(
                near_duplicate_neighbours.text_hash,
                near_duplicate_neighbours.neighbour.text_hash
            ) as text_hash_b
        from near_duplicate_neighbours
        where
            near_duplicate_neighbours.neighbour.text_hash is not null
            and coalesce(
                near_duplicate_neighbours.group_code
                <> near_duplicate_neighbours.neighbour.group_code,
                true
            )
    ),

    -- Jaccard similarity is at most the smaller set's size over the
    -- larger's: pairs of sizes too far apart skip the exact check.
    near_duplicate_overlaps as (
        select
            near_duplicate_checked.text_hash_a,
            near_duplicate_checked.text_hash_b,
            {{ array_overlap_size('shingles_a.shingles', 'shingles_b.shingles') }}
                as shared_shingles,
            shingles_a.shingle_count
            + shingles_b.shingle_count as both_shingles
        from near_duplicate_checked
        inner join near_duplicate_shingles as shingles_a
            on near_duplicate_checked.text_hash_a = shingles_a.text_hash
        inner join near_duplicate_shingles as shingles_b
            on near_duplicate_checked.text_hash_b = shingles_b.text_hash
        where
            least(shingles_a.shingle_count, shingles_b.shingle_count)
            >= cast({{ threshold }} as double)
            * greatest(shingles_a.shingle_count, shingles_b.shingle_count)
    ),

    near_duplicate_pairs as (
        select
            near_duplicate_overlaps.text_hash_a,
            near_duplicate_overlaps.text_hash_b,
            near_duplicate_overlaps.shared_shingles / cast(
                near_duplicate_overlaps.both_shingles
                - near_duplicate_overlaps.shared_shingles as double
            ) as similarity
        from near_duplicate_overlaps
        where
            near_duplicate_overlaps.shared_shingles
            >= cast({{ threshold }} as double) * (
                near_duplicate_overlaps.both_shingles
                - near_duplicate_overlaps.shared_shingles
            )
    ),
{% endmacro %}

{# A 64-bit hash of one or more expressions. Dispatched. #}
{% macro hash64(expressions) %}
    {{ return(adapter.dispatch('hash64', 'trainset')(expressions)) }}
{% endmacro %}

{% macro duckdb__hash64(expressions) -%}
    hash({{ expressions | join(', ') }})
{%- endmacro %}

{% macro spark__hash64(expressions) -%}
    xxhash64({{ expressions | join(', ') }})
{%- endmacro %}

{# The words of a normalized text (split on its single spaces). Dispatched. #}
{% macro split_words(expression) %}
    {{ return(adapter.dispatch('split_words', 'trainset')(expression)) }}
{% endmacro %}

{% macro duckdb__split_words(expression) -%}
    string_split({{ expression }}, ' ')
{%- endmacro %}

{% macro spark__split_words(expression) -%}
    split({{ expression }}, ' ', -1)
{%- endmacro %}

{# The lines of a text. Dispatched. #}
{% macro split_lines(expression) %}
    {{ return(adapter.dispatch('split_lines', 'trainset')(expression)) }}
{% endmacro %}

{% macro duckdb__split_lines(expression) -%}
    string_split({{ expression }}, chr(10))
{%- endmacro %}

{% macro spark__split_lines(expression) -%}
    split({{ expression }}, chr(10), -1)
{%- endmacro %}

{#
    The 64-bit hashes of a word list's n-grams (n = shingle), repeats
    kept; a list shorter than n is one shingle. Dispatched.
#}
{% macro word_shingle_hashes(words, shingle) %}
    {{ return(adapter.dispatch('word_shingle_hashes', 'trainset')(words, shingle)) }}
{% endmacro %}

{#- The n words hashed together, no string built; past the end of a
    short text a word is null, which hashes too. -#}
{% macro duckdb__word_shingle_hashes(words, shingle) -%}
    {%- set parts = [] -%}
    {%- for offset in range(shingle) -%}
        {%- do parts.append(words ~ '[shingle_start + ' ~ offset ~ ']') -%}
    {%- endfor -%}
    list_transform(
        range(1, greatest(len({{ words }}) - {{ shingle - 1 }}, 1) + 1),
        lambda shingle_start: hash({{ parts | join(', ') }})
    )
{%- endmacro %}

{% macro spark__word_shingle_hashes(words, shingle) -%}
    transform(
        sequence(1, greatest(size({{ words }}) - {{ shingle - 1 }}, 1)),
        shingle_start -> xxhash64(array_join(
            slice({{ words }}, shingle_start, {{ shingle }}), ' '
        ))
    )
{%- endmacro %}

{#
    A text's MinHash signature, from a CTE with text_hash and words: the
    CTEs near_duplicate_shingles (text_hash, shingles: its distinct
    shingle hashes, shingle_count), computed once, and
    near_duplicate_band_lists (text_hash, band_keys: `bands` keys). Each
    hash falls in one of bands * rows bins; a band's key hashes its band
    number and its filled bins' least hashes (a least hash names its bin,
    so no two bin sets share a key), and is null when none is filled.
    Dispatched.
#}
{% macro near_duplicate_signatures(words_cte, shingle, bands, rows) %}
    {{ return(adapter.dispatch('near_duplicate_signatures', 'trainset')(
        words_cte, shingle, bands, rows
    )) }}
{% endmacro %}

{#- One sort per text, not a filter per bin, and no hash set: a hash's
    bin is its rank in bands * rows equal slices of the 64-bit range,
    ((hash >> 32) * bins) >> 32, which grows with the hash, so the sorted
    list runs through the bins in order, each bin's least hash first. One
    pass drops repeats (the shingle set), one keeps the first of each
    bin. Half the time of a distinct and a minimum per bin at 1M tickets,
    and no hash is rewritten before the sort. -#}
{% macro duckdb__near_duplicate_signatures(words_cte, shingle, bands, rows) -%}
    near_duplicate_sorted_shingles as (
        select
            {{ words_cte }}.text_hash,
            list_sort(
                {{ word_shingle_hashes(words_cte ~ '.words', shingle) }}
            ) as binned
        from {{ words_cte }}
    ),

    near_duplicate_shingle_sets as (
        select
            near_duplicate_sorted_shingles.text_hash,
            list_filter(
                near_duplicate_sorted_shingles.binned,
                lambda binned_hash, position: position = 1
                or binned_hash <> near_duplicate_sorted_shingles.binned[position - 1]
            ) as shingles
        from near_duplicate_sorted_shingles
    ),

    -- Read three times: computed once (DuckDB inlines a CTE otherwise).
    near_duplicate_shingles as materialized (
        select
            near_duplicate_shingle_sets.text_hash,
            near_duplicate_shingle_sets.shingles,
            len(near_duplicate_shingle_sets.shingles) as shingle_count
        from near_duplicate_shingle_sets
    ),

    near_duplicate_bin_minima as (
        select
            near_duplicate_shingles.text_hash,
            list_filter(
                near_duplicate_shingles.shingles,
                lambda binned_hash, position: position = 1
                or {{ minhash_bin('binned_hash', bands * rows) }}
                <> {{ minhash_bin('near_duplicate_shingles.shingles[position - 1]', bands * rows) }}
            ) as minima
        from near_duplicate_shingles
    ),

    {%- set band_keys = [] -%}
    {%- for band in range(bands) -%}
        {%- set in_band = 'list_filter(near_duplicate_bin_minima.minima, lambda minimum: ('
            ~ minhash_bin('minimum', bands * rows) ~ ') // ' ~ rows ~ ' = ' ~ band ~ ')' -%}
        {%- do band_keys.append(
            'case when len(' ~ in_band ~ ') > 0 then hash(' ~ band ~ ', ' ~ in_band ~ ') end'
        ) -%}
    {%- endfor %}
    near_duplicate_band_lists as (
        select
            near_duplicate_bin_minima.text_hash,
            [{{ band_keys | join(', ') }}] as band_keys
        from near_duplicate_bin_minima
    ),
{%- endmacro %}

{#- A 64-bit hash's bin of `bins`, in order of the hash (DuckDB): its
    top bits when bins is a power of two, the cheaper form. -#}
{% macro minhash_bin(value, bins) -%}
    {%- if bins.bit_count() == 1 -%}
        ({{ value }}) >> {{ 65 - bins.bit_length() }}
    {%- else -%}
        ((({{ value }}) >> 32) * {{ bins }}) >> 32
    {%- endif -%}
{%- endmacro %}

{#- Spark: the shingle set by array_distinct, each bin's least hash by a
    filter per bin. -#}
{% macro spark__near_duplicate_signatures(words_cte, shingle, bands, rows) -%}
    near_duplicate_shingle_lists as (
        select
            {{ words_cte }}.text_hash,
            array_distinct(
                {{ word_shingle_hashes(words_cte ~ '.words', shingle) }}
            ) as shingles
        from {{ words_cte }}
    ),

    near_duplicate_shingles as (
        select
            near_duplicate_shingle_lists.text_hash,
            near_duplicate_shingle_lists.shingles,
            size(near_duplicate_shingle_lists.shingles) as shingle_count
        from near_duplicate_shingle_lists
    ),

    {%- set band_keys = [] -%}
    {%- for band in range(bands) -%}
        {%- set minima = [] -%}
        {%- for row in range(rows) -%}
            {%- do minima.append(
                'array_min(filter(near_duplicate_shingles.shingles, shingle_hash -> pmod(shingle_hash, '
                ~ bands * rows ~ ') = ' ~ (band * rows + row) ~ '))'
            ) -%}
        {%- endfor -%}
        {%- do band_keys.append(
            'case when coalesce(' ~ minima | join(', ') ~ ') is not null then '
            ~ 'xxhash64(' ~ ([band | string] + minima) | join(', ') ~ ') end'
        ) -%}
    {%- endfor %}
    near_duplicate_band_lists as (
        select
            near_duplicate_shingles.text_hash,
            array({{ band_keys | join(', ') }}) as band_keys
        from near_duplicate_shingles
    ),
{%- endmacro %}

{# A struct of the given fields (a dict of name to expression), read as
   struct.field on both engines. Dispatched. #}
{% macro struct_of(fields) %}
    {{ return(adapter.dispatch('struct_of', 'trainset')(fields)) }}
{% endmacro %}

{% macro duckdb__struct_of(fields) -%}
    {%- set parts = [] -%}
    {%- for name, expression in fields.items() -%}
        {%- do parts.append(name ~ ' := ' ~ expression) -%}
    {%- endfor -%}
    struct_pack({{ parts | join(', ') }})
{%- endmacro %}

{% macro spark__struct_of(fields) -%}
    {%- set parts = [] -%}
    {%- for name, expression in fields.items() -%}
        {%- do parts.append("'" ~ name ~ "', " ~ expression) -%}
    {%- endfor -%}
    named_struct({{ parts | join(', ') }})
{%- endmacro %}

{# One row per element of an array (in a select list). Dispatched. #}
{% macro explode_array(expression) %}
    {{ return(adapter.dispatch('explode_array', 'trainset')(expression)) }}
{% endmacro %}

{% macro duckdb__explode_array(expression) -%}
    unnest({{ expression }})
{%- endmacro %}

{% macro spark__explode_array(expression) -%}
    explode({{ expression }})
{%- endmacro %}

{# An array of the given expressions. Dispatched. #}
{% macro array_of(expressions) %}
    {{ return(adapter.dispatch('array_of', 'trainset')(expressions)) }}
{% endmacro %}

{% macro duckdb__array_of(expressions) -%}
    [{{ expressions | join(', ') }}]
{%- endmacro %}

{% macro spark__array_of(expressions) -%}
    array({{ expressions | join(', ') }})
{%- endmacro %}

{# The number of elements two arrays of distinct values share. Dispatched. #}
{% macro array_overlap_size(left, right) %}
    {{ return(adapter.dispatch('array_overlap_size', 'trainset')(left, right)) }}
{% endmacro %}

{#- A filter is about ten times faster than list_intersect here. -#}
{% macro duckdb__array_overlap_size(left, right) -%}
    len(list_filter({{ left }}, lambda shared_hash: list_contains({{ right }}, shared_hash)))
{%- endmacro %}

{% macro spark__array_overlap_size(left, right) -%}
    size(array_intersect({{ left }}, {{ right }}))
{%- endmacro %}
