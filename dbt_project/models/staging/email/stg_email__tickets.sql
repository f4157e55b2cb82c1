{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key='ticket_id',
        on_schema_change='append_new_columns',
    )
}}

with

newest_tickets as (
    {{ newest_raw_versions('email_tickets', ['ticket_id'], 'updated_at desc, ' ~ file_order_desc()) }}
),

agent_names as (
    select * from {{ ref('base_workforce__agent_names') }}
),

tickets as (
    select
        *,
        requester.id as requester_id,
        requester.email as requester_email,
        requester.name as requester_name
    from newest_tickets
),

customer_names as (
    {{ crm_names_of('tickets', 'ticket_id', crm_id='requester_id', email='requester_email') }}
),

mentioned_names as (
    {{ known_names_in('tickets', 'ticket_id', ['subject', 'description', 'satisfaction.comment']) }}
),

redacted as (
    select
        tickets.*,
        {{ names_list([
            'customer_names.customer_names',
            'agent_names.agent_names',
            'mentioned_names.mentioned_names',
            '[tickets.requester_name]',
        ]) }} as names_to_redact
    from tickets
    left join customer_names on tickets.ticket_id = customer_names.ticket_id
    left join mentioned_names on tickets.ticket_id = mentioned_names.ticket_id
    left join agent_names on tickets.assignee_agent_id = agent_names.agent_id
),

{%- set texts = ['subject', 'description', 'satisfaction.comment'] %}
{%- set redacted_columns = ['subject_redacted', 'description_redacted', 'satisfaction_comment_redacted'] %}
{#- a table staged before it stored the key: every text is redacted, as before -#}
{%- set reuse = stored_column_exists('_redaction_key') %}

keyed as (
    select *, {{ redaction_key(texts, 'names_to_redact') }} as _redaction_key
    from redacted
),

redacted_texts as materialized (
    select
        keyed.*,
        {%- if reuse %}
        {{ redacted_each_or_reused(
            texts, 'keyed.names_to_redact', 'keyed._redaction_key', 'previous', redacted_columns
        ) }}
        {%- else %}
        {{ redacted_each(texts, 'keyed.names_to_redact') }}
        {%- endif %}
            as texts_redacted
    from keyed
    {%- if reuse %}
    left join (
        select ticket_id, _redaction_key, {{ redacted_columns | join(', ') }} from {{ this }}
    ) as previous on keyed.ticket_id = previous.ticket_id
    {%- endif %}
),

anonymised as (
    select
        ticket_id,
        client_id,
        via,
        {{ identity_key('client_id', 'crm', 'trim(requester_id)') }} as crm_customer_key,
        {{ identity_key('client_id', 'email', normalised_email('requester_email')) }} as email_key,
        texts_redacted[1] as subject_redacted,
        texts_redacted[2] as description_redacted,
        priority,
        issue_category,
        status,
        assignee_agent_id,
        created_at,
        updated_at,
        first_response_at,
        solved_at,
        is_escalated,
        reopen_count,
        satisfaction.score as satisfaction_score,
        satisfaction.rated_at as satisfaction_rated_at,
        texts_redacted[3] as satisfaction_comment_redacted,
        _redaction_key,
        _export_date,
        _source_file,
        _row_number,
        _loaded_at
    from redacted_texts
),

sentiments as (
    {{ sentiment_scores(
        'anonymised',
        'ticket_id',
        ['subject_redacted', 'description_redacted', 'satisfaction_comment_redacted'],
    ) }}
),

final as (
    select
        anonymised.* exclude (_export_date, _source_file, _row_number, _loaded_at),
        sentiments.subject_sentiment_score,
        sentiments.description_sentiment_score,
        sentiments.satisfaction_comment_sentiment_score,
        anonymised._export_date,
        anonymised._source_file,
        anonymised._row_number,
        anonymised._loaded_at,
        {{ built_at() }} as _built_at
    from anonymised
    left join sentiments on anonymised.ticket_id = sentiments.ticket_id
)

select * from final
