{#
    The build record: on-run-end writes every node's result into two tables
    beside the data, so that an export reads the outcome of the build that
    made the relation it exports, from the same warehouse, whatever dbt ran
    since. dbt runs on-run-end for build, run, test, seed and snapshot, and
    not for compile, show, ls or docs generate, which build nothing.

    trainset_invocations: one row per dbt command (invocation_id, command,
        target, adapter, dbt_version, run_started_at, vars_json).
    trainset_run_results: one row per node and invocation (status,
        failures, message, timing, the relation it built, the node a test
        sits on and the nodes it reads).
#}
{% macro trainset_record_run(results) %}
    {%- if not execute or not results -%}{{ return('') }}{%- endif -%}
    {%- set schema = target.schema -%}
    {%- set invocations = schema ~ '.trainset_invocations' -%}
    {%- set run_results = schema ~ '.trainset_run_results' -%}
    {%- call statement('trainset_record_tables', auto_begin=false) -%}
        create schema if not exists {{ schema }}
    {%- endcall -%}
    {%- call statement('trainset_record_invocations', auto_begin=false) -%}
        create table if not exists {{ invocations }} (
            invocation_id string,
            command string,
            target_name string,
            adapter string,
            dbt_version string,
            run_started_at timestamp,
            vars_json string
        ) {{ record_table_options() }}
    {%- endcall -%}
    {%- call statement('trainset_record_results', auto_begin=false) -%}
        create table if not exists {{ run_results }} (
            invocation_id string,
            unique_id string,
            resource_type string,
            node_name string,
            status string,
            failures bigint,
            message string,
            execution_seconds double,
            started_at timestamp,
            completed_at timestamp,
            database_name string,
            schema_name string,
            identifier string,
            attached_node string,
            depends_on_json string
        ) {{ record_table_options() }}
    {%- endcall -%}
    {%- set vars_given = invocation_args_dict.get('vars') or {} -%}
    {%- if vars_given is string -%}
        {%- set vars_given = fromyaml(vars_given) or {} -%}
    {%- endif -%}
    {%- call statement('trainset_record_invocation', auto_begin=false) -%}
        insert into {{ invocations }} values (
            {{ record_literal(invocation_id) }},
            {{ record_literal(flags.WHICH) }},
            {{ record_literal(target.name) }},
            {{ record_literal(adapter.type()) }},
            {{ record_literal(dbt_version) }},
            {{ record_timestamp(run_started_at) }},
            {{ record_literal(tojson(vars_given)) }}
        )
    {%- endcall -%}
    {#- Rows in batches: one statement per node is slow on Spark. -#}
    {%- for batch in results | batch(200) -%}
        {%- call statement('trainset_record_result_batch', auto_begin=false) -%}
            insert into {{ run_results }} values
            {%- for result in batch %}
                {%- set node = result.node -%}
                {%- set executed = result.timing | selectattr('name', 'equalto', 'execute') | list -%}
                {%- set relational = node.resource_type in ('model', 'seed', 'snapshot') %}
                (
                    {{ record_literal(invocation_id) }},
                    {{ record_literal(node.unique_id) }},
                    {{ record_literal(node.resource_type) }},
                    {{ record_literal(node.name) }},
                    {{ record_literal(result.status) }},
                    {{ result.failures if result.failures is number else 'null' }},
                    {{ record_literal((result.message or '') | string | truncate(2000, true, '…', 0)) if result.message else 'null' }},
                    {{ result.execution_time or 0 }},
                    {{ record_timestamp(executed[0].started_at if executed and executed[0].started_at else none) }},
                    {{ record_timestamp(executed[0].completed_at if executed and executed[0].completed_at else none) }},
                    {{ record_literal(node.database) if relational else 'null' }},
                    {{ record_literal(node.schema) if relational else 'null' }},
                    {{ record_literal(node.alias or node.name) if relational else 'null' }},
                    {{ record_literal(node.attached_node) if node.attached_node is defined and node.attached_node else 'null' }},
                    {{ record_literal(tojson(record_parents(node))) }}
                ){{ "," if not loop.last }}
            {%- endfor %}
        {%- endcall -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}

{# The nodes a node reads: seeds depend on macros only. #}
{% macro record_parents(node) -%}
    {%- if node.depends_on is defined and node.depends_on.nodes is defined -%}
        {{ return(node.depends_on.nodes | list) }}
    {%- endif -%}
    {{ return([]) }}
{%- endmacro %}

{# A string as a SQL literal: the engines escape quotes differently. #}
{% macro record_literal(value) %}
    {{ return(adapter.dispatch('record_literal', 'trainset')(value)) }}
{% endmacro %}

{% macro default__record_literal(value) -%}
    {%- if value is none -%}null{%- else -%}
    '{{ value | string | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}

{# Spark reads backslash escapes in literals, and joins 'a''b' into ab. #}
{% macro spark__record_literal(value) -%}
    {%- if value is none -%}null{%- else -%}
    '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}

{% macro record_timestamp(value) -%}
    {%- if value is none -%}cast(null as timestamp){%- else -%}
    cast('{{ value.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
    {%- endif -%}
{%- endmacro %}

{% macro record_table_options() %}
    {{ return(adapter.dispatch('record_table_options', 'trainset')()) }}
{% endmacro %}

{% macro default__record_table_options() %}{% endmacro %}

{# Plain Parquet, as the project's models: Delta needs a jar. #}
{% macro spark__record_table_options() %}using parquet{% endmacro %}
