{#-
    What a data test reads (dbt calls this for the model under test). dbt's own behaviour — the test's
    `where` config, when set — plus, in a `dbt build`, only the rows this invocation wrote to an
    incremental model: every such row carries the invocation's `_built_at`, and the rows kept from earlier
    builds were tested by the build that wrote them. Keys stay unique across the whole table because the
    replace_keys strategy deletes every key of a batch before inserting it. `dbt test` on its own, tables
    and views are tested whole (dbt_project/README.md, "Data tests in daily builds").
-#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where %}{% do conditions.append('(' ~ where ~ ')') %}{% endif -%}
    {%- if execute and flags.WHICH == 'build' and is_incremental_relation(relation) -%}
        {%- do conditions.append('_built_at = ' ~ built_at()) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- Whether `relation` is the table of an incremental model of this project. -#}
{% macro is_incremental_relation(relation) -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model'
            and node.config.materialized == 'incremental'
            and node.schema | lower == (relation.schema or '') | lower
            and node.alias | lower == (relation.identifier or '') | lower -%}
            {{ return(true) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}
