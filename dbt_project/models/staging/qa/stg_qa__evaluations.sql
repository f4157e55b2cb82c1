{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key='evaluation_id',
        on_schema_change='append_new_columns',
    )
}}

with

newest_evaluations as (
    {{ newest_raw_versions('qa_evaluations', ['evaluation_id'], file_order_desc()) }}
),

final as (
    select
        evaluation_id,
        client_id,
        interaction_id,
        channel,
        agent_id,
        evaluator_id,
        evaluator_type,
        evaluated_at,
        rubric_version,
        items,
        coalesce(compliance_flags, []::varchar[]) as compliance_flags,
        is_auto_fail,
        _export_date,
        _source_file,
        _row_number,
        _loaded_at,
        {{ built_at() }} as _built_at
    from newest_evaluations
)

select * from final
