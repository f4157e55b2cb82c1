{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key='response_id',
        on_schema_change='append_new_columns',
    )
}}

with

newest_responses as (
    {{ newest_raw_versions('nps_responses', ['response_id'], file_order_desc()) }}
),

texts as (
    select * from newest_responses where reason is not null
),

customer_names as (
    {{ crm_names_of('texts', 'response_id', crm_id='customer_id', email='email') }}
),

mentioned_names as (
    {{ known_names_in('texts', 'response_id', ['reason']) }}
),

anonymised as materialized (
    select
        newest_responses.response_id,
        newest_responses.client_id,
        {{ identity_key('newest_responses.client_id', 'crm', 'trim(newest_responses.customer_id)') }}
            as crm_customer_key,
        {{ identity_key('newest_responses.client_id', 'email', normalised_email('newest_responses.email')) }}
            as email_key,
        newest_responses.sent_at,
        newest_responses.responded_at,
        newest_responses.score,
        {{ redacted(
            'newest_responses.reason',
            names_list(['customer_names.customer_names', 'mentioned_names.mentioned_names'])
        ) }}
            as reason_redacted,
        newest_responses.wants_follow_up,
        newest_responses._export_date,
        newest_responses._source_file,
        newest_responses._row_number,
        newest_responses._loaded_at
    from newest_responses
    left join customer_names on newest_responses.response_id = customer_names.response_id
    left join mentioned_names on newest_responses.response_id = mentioned_names.response_id
),

sentiments as (
    {{ sentiment_scores('anonymised', 'response_id', ['reason_redacted']) }}
),

final as (
    select
        anonymised.* exclude (_export_date, _source_file, _row_number, _loaded_at),
        sentiments.reason_sentiment_score,
        anonymised._export_date,
        anonymised._source_file,
        anonymised._row_number,
        anonymised._loaded_at,
        {{ built_at() }} as _built_at
    from anonymised
    left join sentiments on anonymised.response_id = sentiments.response_id
)

select * from final
