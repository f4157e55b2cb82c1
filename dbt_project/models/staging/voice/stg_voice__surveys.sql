{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key='survey_id',
        on_schema_change='append_new_columns',
    )
}}

with

newest_surveys as (
    {{ newest_raw_versions('voice_surveys', ['survey_id'], file_order_desc()) }}
),

raw_calls as (
    select * from {{ source('raw', 'voice_calls') }}
),

agent_names as (
    select * from {{ ref('base_workforce__agent_names') }}
),

{#- The surveyed call's caller and agent, whose names are redacted from the comment. -#}
surveyed_calls as (
    select distinct
        newest_surveys.survey_id,
        raw_calls.client_id,
        raw_calls.customer_id,
        raw_calls.customer_phone,
        raw_calls.agent_id
    from newest_surveys
    inner join raw_calls on newest_surveys.call_id = raw_calls.call_id
    where newest_surveys.comment is not null
),

customer_names as (
    {{ crm_names_of('surveyed_calls', 'survey_id', crm_id='customer_id', phone='customer_phone') }}
),

call_agent_names as (
    select
        surveyed_calls.survey_id,
        flatten(list(agent_names.agent_names)) as agent_names
    from surveyed_calls
    inner join agent_names on surveyed_calls.agent_id = agent_names.agent_id
    group by surveyed_calls.survey_id
),

mentioned_names as (
    {{ known_names_in('newest_surveys', 'survey_id', ['comment']) }}
),

redacted as (
    select
        newest_surveys.*,
        {{ redacted(
            'newest_surveys.comment',
            names_list([
                'customer_names.customer_names',
                'call_agent_names.agent_names',
                'mentioned_names.mentioned_names',
            ])
        ) }} as comment_redacted
    from newest_surveys
    left join customer_names on newest_surveys.survey_id = customer_names.survey_id
    left join call_agent_names on newest_surveys.survey_id = call_agent_names.survey_id
    left join mentioned_names on newest_surveys.survey_id = mentioned_names.survey_id
),

anonymised as materialized (
    select
        survey_id,
        call_id,
        client_id,
        responded_at,
        csat_score,
        ces_score,
        comment_redacted,
        _export_date,
        _source_file,
        _row_number,
        _loaded_at
    from redacted
),

sentiments as (
    {{ sentiment_scores('anonymised', 'survey_id', ['comment_redacted']) }}
),

final as (
    select
        anonymised.* exclude (_export_date, _source_file, _row_number, _loaded_at),
        sentiments.comment_sentiment_score,
        anonymised._export_date,
        anonymised._source_file,
        anonymised._row_number,
        anonymised._loaded_at,
        {{ built_at() }} as _built_at
    from anonymised
    left join sentiments on anonymised.survey_id = sentiments.survey_id
)

select * from final
