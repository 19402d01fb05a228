{#
    The resolution taxonomy a build uses: the CSV (or Parquet) file of var
    taxonomy_path, or the bundled seed when the var is empty.
#}
{% macro taxonomy_path() %}
    {{ return(var('taxonomy_path', '') or 'seeds/resolution_categories.csv') }}
{% endmacro %}

{% macro taxonomy_source() %}
    {{ return('file' if var('taxonomy_path', '') else 'seed') }}
{% endmacro %}
