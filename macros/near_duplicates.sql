{#
    Near-duplicate texts, set-based: MinHash signatures with banding
    (locality-sensitive hashing), then the exact Jaccard similarity of each
    candidate pair, so no reported pair is below the threshold.

    near_duplicate_pairs(texts_cte, ...) returns the CTEs that end in
    near_duplicate_pairs (text_hash_a < text_hash_b, similarity): the
    distinct texts of texts_cte (columns text_hash, text_key) whose word
    shingle sets have Jaccard similarity >= threshold. Identical keys are
    one text; the caller pairs a text with itself where it needs to.

    A text is the set of its word n-grams (shingle words; a shorter text is
    one shingle), each hashed to 64 bits. Its signature is the minimum of
    bands * rows universal hashes (a*h + b mod 2^31 - 1) over that set; two
    texts of similarity s agree on one of them with probability s, and
    share a band (rows consecutive values) with probability
    1 - (1 - s^rows)^bands. With 12 bands of 6 that is 0.97 at s = 0.8 and
    above 0.999 at s = 0.9.

    Within a band's bucket each text is compared with the next `window`
    texts in an order hashed per band, not with all of them: a template
    repeated thousands of times would otherwise make a quadratic number of
    pairs. A bucket of up to window + 1 texts is compared in full; in a
    larger one each text still meets about 2 * window * bands others.
#}
{% macro near_duplicate_pairs(texts_cte, threshold=0.8, shingle=3, bands=12, rows=6, window=8) %}
    near_duplicate_texts as (
        select distinct
            {{ texts_cte }}.text_hash,
            {{ texts_cte }}.text_key
        from {{ texts_cte }}
        where {{ texts_cte }}.text_key <> ''
    ),

    near_duplicate_shingles as (
        select
            near_duplicate_texts.text_hash,
            {{ word_shingle_hashes(
                split_words('near_duplicate_texts.text_key'), shingle
            ) }} as shingles
        from near_duplicate_texts
    ),

    near_duplicate_bands as (
        select
            near_duplicate_shingles.text_hash,
            {{ explode_array(lsh_band_keys(
                minhash_signature('near_duplicate_shingles.shingles', bands * rows),
                bands,
                rows
            )) }} as band_key
        from near_duplicate_shingles
    ),

    {%- set neighbours = [] -%}
    {%- for step in range(1, window + 1) -%}
        {%- do neighbours.append(
            'lead(near_duplicate_bands.text_hash, ' ~ step ~ ') over bucket_order'
        ) -%}
    {%- endfor %}
    near_duplicate_neighbours as (
        select
            near_duplicate_bands.text_hash,
            {{ explode_array(array_of(neighbours)) }} as neighbour_hash
        from near_duplicate_bands
        window bucket_order as (
            partition by near_duplicate_bands.band_key
            order by {{ hash64(
                ['near_duplicate_bands.text_hash', 'near_duplicate_bands.band_key']
            ) }}
        )
    ),

    near_duplicate_candidates as (
        select distinct
            least(
                near_duplicate_neighbours.text_hash,
                near_duplicate_neighbours.neighbour_hash
            ) as text_hash_a,
            greatest(
                near_duplicate_neighbours.text_hash,
                near_duplicate_neighbours.neighbour_hash
            ) as text_hash_b
        from near_duplicate_neighbours
        where near_duplicate_neighbours.neighbour_hash is not null
    ),

    near_duplicate_overlaps as (
        select
            near_duplicate_candidates.text_hash_a,
            near_duplicate_candidates.text_hash_b,
            {{ array_overlap_size('shingles_a.shingles', 'shingles_b.shingles') }}
                as shared_shingles,
            {{ array_size('shingles_a.shingles') }}
            + {{ array_size('shingles_b.shingles') }} as both_shingles
        from near_duplicate_candidates
        inner join near_duplicate_shingles as shingles_a
            on near_duplicate_candidates.text_hash_a = shingles_a.text_hash
        inner join near_duplicate_shingles as shingles_b
            on near_duplicate_candidates.text_hash_b = shingles_b.text_hash
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
            >= {{ threshold }} * (
                near_duplicate_overlaps.both_shingles
                - near_duplicate_overlaps.shared_shingles
            )
    ),
{% endmacro %}

{# The prime of the universal hashes: 2^31 - 1, so a * h fits 62 bits. #}
{% macro minhash_prime() -%}
    2147483647
{%- endmacro %}

{#
    2 * count numbers in [1, 2^31 - 1) from a Park-Miller generator with a
    fixed seed: the a and b of each hash, the same on every engine and run.
#}
{% macro minhash_coefficients(count) %}
    {%- set state = namespace(seed=20261201) -%}
    {%- set numbers = [] -%}
    {%- for _ in range(2 * count) -%}
        {%- set state.seed = (state.seed * 48271) % 2147483647 -%}
        {%- do numbers.append(state.seed) -%}
    {%- endfor -%}
    {{ return(numbers) }}
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
    The distinct 64-bit hashes of a word list's n-grams (n = shingle); a
    list shorter than n is one shingle. Dispatched.
#}
{% macro word_shingle_hashes(words, shingle) %}
    {{ return(adapter.dispatch('word_shingle_hashes', 'trainset')(words, shingle)) }}
{% endmacro %}

{% macro duckdb__word_shingle_hashes(words, shingle) -%}
    list_distinct(list_transform(
        range(1, greatest(len({{ words }}) - {{ shingle - 1 }}, 1) + 1),
        lambda shingle_start: hash(array_to_string(
            list_slice({{ words }}, shingle_start, shingle_start + {{ shingle - 1 }}),
            ' '
        ))
    ))
{%- endmacro %}

{% macro spark__word_shingle_hashes(words, shingle) -%}
    array_distinct(transform(
        sequence(1, greatest(size({{ words }}) - {{ shingle - 1 }}, 1)),
        shingle_start -> xxhash64(array_join(
            slice({{ words }}, shingle_start, {{ shingle }}), ' '
        ))
    ))
{%- endmacro %}

{#
    The MinHash signature of a set of 64-bit hashes: for each of count
    universal hashes (a * (h mod p) + b) mod p, the minimum over the set.
    Dispatched.
#}
{% macro minhash_signature(hashes, count) %}
    {{ return(adapter.dispatch('minhash_signature', 'trainset')(hashes, count)) }}
{% endmacro %}

{% macro duckdb__minhash_signature(hashes, count) -%}
    {%- set numbers = minhash_coefficients(count) -%}
    list_transform(
        list_zip(
            [{{ numbers[0::2] | join(', ') }}],
            [{{ numbers[1::2] | join(', ') }}]
        ),
        lambda minhash_ab: list_min(list_transform(
            {{ hashes }},
            lambda shingle_hash: (
                (shingle_hash % {{ minhash_prime() }}) * minhash_ab[1]
                + minhash_ab[2]
            ) % {{ minhash_prime() }}
        ))
    )
{%- endmacro %}

{% macro spark__minhash_signature(hashes, count) -%}
    {%- set numbers = minhash_coefficients(count) -%}
    transform(
        arrays_zip(
            array({{ numbers[0::2] | join(', ') }}),
            array({{ numbers[1::2] | join(', ') }})
        ),
        minhash_ab -> array_min(transform(
            {{ hashes }},
            shingle_hash -> pmod(
                pmod(shingle_hash, {{ minhash_prime() }}) * minhash_ab['0']
                + minhash_ab['1'],
                {{ minhash_prime() }}
            )
        ))
    )
{%- endmacro %}

{#
    One hash per band of a signature (bands of rows consecutive values),
    with the band's number in it, so equal keys mean the same band.
    Dispatched.
#}
{% macro lsh_band_keys(signature, bands, rows) %}
    {{ return(adapter.dispatch('lsh_band_keys', 'trainset')(signature, bands, rows)) }}
{% endmacro %}

{% macro duckdb__lsh_band_keys(signature, bands, rows) -%}
    list_transform(
        range({{ bands }}),
        lambda band: hash(
            band,
            list_slice({{ signature }}, band * {{ rows }} + 1, (band + 1) * {{ rows }})
        )
    )
{%- endmacro %}

{% macro spark__lsh_band_keys(signature, bands, rows) -%}
    transform(
        sequence(0, {{ bands - 1 }}),
        band -> xxhash64(band, slice({{ signature }}, band * {{ rows }} + 1, {{ rows }}))
    )
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

{# The number of elements of an array. Dispatched. #}
{% macro array_size(expression) %}
    {{ return(adapter.dispatch('array_size', 'trainset')(expression)) }}
{% endmacro %}

{% macro duckdb__array_size(expression) -%}
    len({{ expression }})
{%- endmacro %}

{% macro spark__array_size(expression) -%}
    size({{ expression }})
{%- endmacro %}

{# The number of elements two arrays of distinct values share. Dispatched. #}
{% macro array_overlap_size(left, right) %}
    {{ return(adapter.dispatch('array_overlap_size', 'trainset')(left, right)) }}
{% endmacro %}

{% macro duckdb__array_overlap_size(left, right) -%}
    len(list_intersect({{ left }}, {{ right }}))
{%- endmacro %}

{% macro spark__array_overlap_size(left, right) -%}
    size(array_intersect({{ left }}, {{ right }}))
{%- endmacro %}
