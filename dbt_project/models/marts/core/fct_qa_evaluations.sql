{{
    config(
        materialized='incremental',
        incremental_strategy='replace_keys',
        unique_key='evaluation_id',
        on_schema_change='fail',
    )
}}

{#-
    QA score (marts.md "QA score"): 100 × Σ(weight × score / max_score) / Σ weight over the evaluation's
    scored items, weights from the qa_rubrics seed and max_score the item's own. An item left out or
    without a score (not applicable), or not in the rubric, is dropped from both sums. 0 when auto-failed.
-#}

with

evaluations as (
    {{ rows_changed_since_last_build(ref('stg_qa__evaluations')) }}
),

rubrics as (
    select * from {{ ref('qa_rubrics') }}
),

clients as (
    select * from {{ ref('clients') }}
),

items as (
    select
        evaluations.evaluation_id,
        evaluations.rubric_version,
        unnest(evaluations.items, recursive := true)
    from evaluations
),

item_scores as (
    select
        items.evaluation_id,
        count(*) as items_scored,
        {#- summed in item order: floating-point addition depends on the order -#}
        list_sum(list(rubrics.weight * items.score / items.max_score order by items.item)) as weighted_score,
        list_sum(list(rubrics.weight order by items.item)) as total_weight,
        count(*) filter (where rubrics.is_critical and items.score < items.max_score) as critical_items_missed
    from items
    inner join rubrics
        on
            items.rubric_version = rubrics.rubric_version
            and items.item = rubrics.item
    where items.score is not null and items.max_score > 0
    group by items.evaluation_id
),

final as (
    select
        evaluations.evaluation_id,
        evaluations.client_id,
        evaluations.interaction_id,
        evaluations.channel,
        evaluations.agent_id,
        evaluations.evaluator_id,
        evaluations.evaluator_type,
        evaluations.evaluated_at,
        {{ to_local('evaluations.evaluated_at', 'clients.timezone') }}::date as evaluated_date,
        evaluations.rubric_version,
        coalesce(item_scores.items_scored, 0) as items_scored,
        coalesce(item_scores.critical_items_missed, 0) as critical_items_missed,
        item_scores.weighted_score,
        item_scores.total_weight,
        case
            when evaluations.is_auto_fail then 0.0::double
            else {{ pct('item_scores.weighted_score', 'item_scores.total_weight') }}
        end as qa_score_pct,
        evaluations.is_auto_fail,
        evaluations.compliance_flags,
        len(evaluations.compliance_flags) > 0 as has_compliance_flags,
        {{ built_at() }} as _built_at
    from evaluations
    left join item_scores on evaluations.evaluation_id = item_scores.evaluation_id
    left join clients on evaluations.client_id = clients.client_id
)

select * from final
