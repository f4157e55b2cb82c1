{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key=['channel', 'interaction_id'],
        on_schema_change='append_new_columns',
    )
}}

{#-
    One row per interaction: its repeat-contact window and FCR outcome (marts.md "FCR", "Repeated").
    Eligible: an inbound, handled interaction with a customer_key. Within the eligible interactions of a
    client, customer_key and issue_category (a missing category matches nothing):
    - is_repeated: a strictly later one starts at most fcr_window_hours after this one;
    - is_repeat_contact: an earlier one started at most fcr_window_hours before this one;
    - is_fcr_pending: this one's window ends after the as-of moment (the newest start loaded).

    Incrementally, the interactions around a changed one on the same customer and issue are recomputed
    (a new contact can make earlier ones repeated; see stored_partitions); and interactions still pending
    at the last build whose window has now elapsed get their FCR outcome. Only rows whose outcome
    actually changed are rewritten.
-#}

{%- set window_hours = var('fcr_window_hours') | int %}
{#- what the windows need of an interaction: int_interactions_unioned gives them (`contacts`), and this
    table holds them for every interaction it has built -#}
{%- set contact_columns = ['channel', 'interaction_id', 'client_id', 'customer_key', 'issue_category',
    'started_at', 'is_resolved'] %}

with

interactions as not materialized (
    select * from {{ ref('int_interactions_unioned') }}
),

as_of as (
    select max(started_at) as as_of_at from interactions
),

contacts as not materialized (
    select
        {{ contact_columns | join(', ') }},
        direction = 'inbound' and is_handled and customer_key is not null as is_fcr_eligible
    from interactions
    {%- if is_incremental() %}
    where _built_at > {{ high_water_mark() }}
    {%- endif %}
),

{% if is_incremental() -%}
changed as materialized (
    select * from contacts
),

{#- the changed interactions as last built (read once: the partitions they leave, and the comparison) -#}
changed_stored as materialized (
    select existing.*
    from {{ this }} as existing
    semi join changed using (channel, interaction_id)
),

{#-
    The windows are computed within (client, customer_key, issue_category): a change moves only the outcomes
    of its own issue's contacts. Per such partition, when its changed interactions start (now and as last
    built: a changed customer_key or category moves the interaction out of its old partition).
-#}
affected_partitions as (
    select client_id, customer_key, issue_category,
        min(started_at) as first_changed_at, max(started_at) as last_changed_at
    from (
        select client_id, customer_key, issue_category, started_at from changed
        union all
        select client_id, customer_key, issue_category, started_at from changed_stored
    )
    where customer_key is not null and issue_category is not null
    group by client_id, customer_key, issue_category
),

{#-
    A change at time c can move the outcome of its partition's interactions in [c - W, c + W] (W the FCR
    window), and computing those needs the interactions in [c - 2W, c + 2W]: that much of the partition's
    history is read, and only the first range rewritten (`is_in_output`).

    That history is read from this table's own rows, not from int_interactions_unioned: every interaction
    has a row here, and one not changed since holds what the windows need exactly as the unioned table
    holds it (interactions are never deleted but by a full rebuild of every model, as an erasure runs: a
    full refresh of int_interactions_unioned alone, or a change to `is_fcr_eligible`, needs one of this
    model too, or stale rows would count as history). The unioned table is wider, and its
    scan was 1.3 of this model's 5.1 CPU seconds at day 30 of 100k interactions a day; reading this
    table instead, each stored row once and only within its partition's range, took the model's query
    from 1.25 to 0.75 s (benchmarks/README.md, session 17). These rows are also what the recomputed rows
    are compared with (`final`): a recomputed row's stored version, when identical, starts in the same
    range.
-#}
stored_partitions as materialized (
    select
        stored.*,
        stored.started_at
        between affected_partitions.first_changed_at - interval {{ window_hours }} hour
        and affected_partitions.last_changed_at + interval {{ window_hours }} hour as is_in_output
    from {{ this }} as stored
    inner join affected_partitions using (client_id, customer_key, issue_category)
    where
        stored.started_at
        between affected_partitions.first_changed_at - interval {{ 2 * window_hours }} hour
        and affected_partitions.last_changed_at + interval {{ 2 * window_hours }} hour
),

{#-
    Every changed interaction is recomputed (its start is inside its partition's range); one without a
    customer_key or a category matches no other, and is computed on its own.
-#}
in_scope as (
    select *, true as is_in_output from changed
    union all
    select {{ contact_columns | join(', ') }}, is_fcr_eligible, is_in_output
    from stored_partitions
    anti join changed using (channel, interaction_id)
),
{%- else -%}
in_scope as (
    select *, true as is_in_output from contacts
),
{%- endif %}

eligible_windows as (
    select
        channel,
        interaction_id,
        min(started_at) over (
            partition by client_id, customer_key, issue_category
            order by started_at
            range between interval 1 microsecond following and interval {{ window_hours }} hour following
        ) as next_contact_started_at,
        count(*) over (
            partition by client_id, customer_key, issue_category
            order by started_at
            range between interval {{ window_hours }} hour preceding and interval 1 microsecond preceding
        ) as prior_contacts_in_window
    from in_scope
    where is_fcr_eligible and issue_category is not null
),

windowed as (
    select
        in_scope.channel,
        in_scope.interaction_id,
        in_scope.client_id,
        in_scope.customer_key,
        in_scope.issue_category,
        in_scope.started_at,
        in_scope.is_resolved,
        in_scope.is_fcr_eligible,
        eligible_windows.next_contact_started_at,
        coalesce(eligible_windows.prior_contacts_in_window, 0) as prior_contacts_in_window,
        coalesce(
            eligible_windows.next_contact_started_at
            <= in_scope.started_at + interval {{ window_hours }} hour,
            false
        ) and in_scope.is_fcr_eligible as is_repeated,
        coalesce(eligible_windows.prior_contacts_in_window, 0) > 0 as is_repeat_contact,
        case
            when in_scope.is_fcr_eligible then in_scope.started_at + interval {{ window_hours }} hour
        end as fcr_window_ends_at
    from in_scope
    left join eligible_windows using (channel, interaction_id)
    where in_scope.is_in_output
),

{% if is_incremental() -%}
{#- Pending at the last build, window now elapsed, not recomputed above: only the outcome moves. -#}
window_elapsed as (
    select existing.* exclude (is_fcr_pending, is_fcr, _built_at)
    from {{ this }} as existing
    anti join windowed using (channel, interaction_id)
    where
        existing.is_fcr_pending
        and existing.fcr_window_ends_at <= (select as_of_at from as_of)
),
{%- endif %}

recomputed as (
    select * from windowed
    {%- if is_incremental() %}
    union all by name
    select * from window_elapsed
    {%- endif %}
),

outcomes as (
    select
        channel,
        interaction_id,
        client_id,
        customer_key,
        issue_category,
        started_at,
        is_fcr_eligible,
        is_repeated,
        is_repeat_contact,
        prior_contacts_in_window,
        next_contact_started_at,
        fcr_window_ends_at,
        coalesce(fcr_window_ends_at > (select as_of_at from as_of), false) as is_fcr_pending,
        case
            when is_fcr_eligible and fcr_window_ends_at <= (select as_of_at from as_of)
                then is_resolved and not is_repeated
        end as is_fcr,
        is_resolved,
        {{ built_at() }} as _built_at
    from recomputed
),

{#-
    What the recomputed rows are compared with: the stored rows of the affected partitions' ranges, and
    the changed interactions stored without a partition (an interaction whose window elapsed always
    differs). Not the whole table: when the recomputed rows came out of a range join, DuckDB judged them
    billions and built the hash table on every stored key instead; at 30M interactions that took more
    than the 2 GB memory limit (benchmarks/README.md, session 16).
-#}
{%- set stored_in_scope -%}
    select * exclude (is_in_output) from stored_partitions
    union all
    select * from changed_stored
    where customer_key is null or issue_category is null
{%- endset %}

final as (
    {{ keep_changed_rows(
        'outcomes', ['channel', 'interaction_id'], row_hash=true,
        stored=stored_in_scope if is_incremental() else none
    ) }}
)

select * from final
