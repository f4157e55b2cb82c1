{#-
    Incremental strategy `replace_keys`: every key (unique_key, one or more columns) present in the new
    batch is replaced by the batch's live rows. A batch row whose `_built_at` is null is a tombstone: it
    deletes its key and inserts nothing. Models use it where a rebuilt key may have no rows any more (a
    rating removed from a later version of a chat, an alert that no longer holds); full builds emit no
    tombstones.
-#}
{% macro get_incremental_replace_keys_sql(arg_dict) -%}
    {%- set target = arg_dict["target_relation"] -%}
    {%- set source = arg_dict["temp_relation"] -%}
    {%- set unique_key = arg_dict["unique_key"] -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set dest_cols_csv = get_quoted_csv(arg_dict["dest_columns"] | map(attribute="name")) -%}
    {%- if not keys -%}
        {{ exceptions.raise_compiler_error("replace_keys needs a unique_key (the replacement scope)") }}
    {%- endif %}

    delete from {{ target }} as target_rows
    using (select distinct {{ keys | join(', ') }} from {{ source }}) as batch_keys
    where
        {%- for key in keys %}
        target_rows.{{ key }} = batch_keys.{{ key }}
        {%- if not loop.last %} and{% endif %}
        {%- endfor %};

    insert into {{ target }} ({{ dest_cols_csv }})
    select {{ dest_cols_csv }}
    from {{ source }}
    where _built_at is not null

{%- endmacro %}
