{#-
    Incremental builds (dbt_project/README.md, "Incremental builds").

    Staging reads the raw rows of the export window that Dagster passes as vars
    (min_export_date .. max_export_date, widened by lookback_days); with both vars null it reads all of raw.
    Every model below staging stamps its rows with `_built_at` (the dbt invocation's start) and, when run
    incrementally, rebuilds what its parents stamped after its own newest `_built_at` (a high-water mark),
    so models picked up in a later invocation still see every change.
-#}

{#-
    The window: the vars when given (`dbt build --vars '{min_export_date: …}'`), else CX_DBT_MIN_EXPORT_DATE /
    CX_DBT_MAX_EXPORT_DATE, which Dagster and the benchmark set on the dbt process. The environment is read
    only when executing, never while parsing: a new window each day then keeps dbt's partial parsing
    (a changed `--vars` makes dbt re-parse the whole project, ≈ 6–10 s a run).
-#}
{% macro export_window() -%}
    {%- set window = {
        'min': var('min_export_date', none),
        'max': var('max_export_date', none),
    } -%}
    {%- if execute and window['min'] is none and window['max'] is none -%}
        {%- do window.update({
            'min': env_var('CX_DBT_MIN_EXPORT_DATE', '') or none,
            'max': env_var('CX_DBT_MAX_EXPORT_DATE', '') or none,
        }) -%}
    {%- endif -%}
    {%- for bound in ['min', 'max'] if window[bound] is not none -%}
        {#- a date or nothing: fails the build on anything else, so no text reaches the SQL -#}
        {%- do window.update({bound: modules.datetime.date.fromisoformat(window[bound] | string).isoformat()}) -%}
    {%- endfor -%}
    {{ return(window) }}
{%- endmacro %}

{% macro export_window_predicate(column) -%}
    {%- set window = export_window() -%}
    {%- set min_date = window['min'] -%}
    {%- set max_date = window['max'] -%}
    {%- set lookback = var('lookback_days', 0) or 0 -%}
    {%- if min_date is none and max_date is none -%}
        true
    {%- else -%}
        ({{ column }}
            {%- if min_date is not none %} >= date '{{ min_date }}' - interval {{ lookback | int }} day{% endif %}
            {%- if min_date is not none and max_date is not none %} and {{ column }}{% endif %}
            {%- if max_date is not none %} <= date '{{ max_date }}'{% endif %})
    {%- endif -%}
{%- endmacro %}

{% macro built_at() -%}
    timestamp '{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}'
{%- endmacro %}

{#-
    The newest `_built_at` (or `column`) of this model: its parents' rows stamped later are what changed since.
    Read when the model runs and written into its SQL as a literal: DuckDB then skips the row groups of
    older builds when scanning a parent (its zone maps), where a scalar subquery made it read the
    parent's whole history on every build. A model reads its own table only before writing it, so the
    literal is the value the subquery would have returned.
-#}
{% macro high_water_mark(column='_built_at') -%}
    {%- if execute and column not in (adapter.get_columns_in_relation(this) | map(attribute='name') | list) -%}
        {#- a table built before the model stamped its rows: everything its parents hold is new to it -#}
        timestamp '1900-01-01'
    {%- elif execute -%}
        {%- set newest = run_query(
            "select strftime(coalesce(max(" ~ column ~ "), timestamp '1900-01-01'), '%Y-%m-%d %H:%M:%S.%f') from "
            ~ this
        ).columns[0].values()[0] -%}
        timestamp '{{ newest }}'
    {%- else -%}
        (select coalesce(max({{ column }}), timestamp '1900-01-01') from {{ this }})
    {%- endif -%}
{%- endmacro %}

{#-
    The newest interaction start loaded, from any source (marts.md "As of"): FCR windows and SLA due times
    are judged against it. Read from the unified interactions, which hold every source's starts.
-#}
{% macro as_of() -%}
    (select max(started_at) from {{ ref('int_interactions_unioned') }})
{%- endmacro %}

{#-
    The newest raw version of every record the export window touched (all records when the window vars
    are null or on a full build), minus those already staged from the very same raw row: re-reading a
    window costs a join, not another pass of the Python redaction and sentiment functions.
    `id_columns`: the record's identity within the source; `version_order`: newest first.
-#}
{% macro newest_raw_versions(source_table, id_columns, version_order) -%}
    {#- The winner is ranked on narrow rows (ids, version columns, lineage) and only then read whole from
        raw by its lineage (file, row, load): wide payloads (transcripts, texts) are not sorted. -#}
    {%- set raw_relation = source('raw', source_table) -%}
    {%- set ids = id_columns | join(', ') -%}
    {%- set lineage = ['_export_date', '_source_file', '_row_number', '_loaded_at'] -%}
    {%- set narrow = [] -%}
    {%- set order_columns = [] -%}
    {%- for term in version_order.split(',') %}{% do order_columns.append(term.strip().split()[0]) %}{% endfor -%}
    {%- for column in id_columns + order_columns + lineage -%}
        {%- if column not in narrow %}{% do narrow.append(column) %}{% endif -%}
    {%- endfor -%}
    with
    {%- if is_incremental() %}

    touched as (
        select distinct {{ ids }}
        from {{ raw_relation }}
        where {{ export_window_predicate('_export_date') }}
    ),
    {%- endif %}

    versions as (
        select {% for column in narrow %}raw_rows.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
        from {{ raw_relation }} as raw_rows
        {%- if is_incremental() %}
        inner join touched using ({{ ids }})
        {%- endif %}
    ),

    newest as (
        select {{ lineage | join(', ') }}
        from versions
        qualify row_number() over (partition by {{ ids }} order by {{ version_order }}) = 1
    ),

    {%- if is_incremental() %}

    {#- minus those already staged from the very same raw row #}
    unstaged as (
        select newest.*
        from newest
        left join {{ this }} as staged
            on
                newest._export_date = staged._export_date
                and newest._source_file = staged._source_file
                and newest._row_number = staged._row_number
                and newest._loaded_at = staged._loaded_at
        where staged._source_file is null
    ),
    {%- else %}

    unstaged as (
        select * from newest
    ),
    {%- endif %}

    winners as (
        select raw_rows.* exclude (_extra)
        from {{ raw_relation }} as raw_rows
        semi join unstaged using ({{ lineage | join(', ') }})
    )

    select * from winners
{%- endmacro %}

{#- Newest version when the source has no version column: by export day, then file order. -#}
{% macro file_order_desc() -%}
    _export_date desc, _loaded_at desc, _source_file desc, _row_number desc
{%- endmacro %}

{#- A parent's rows restamped since this model's last build (all rows on a full build), or matching `or_where`. -#}
{% macro rows_changed_since_last_build(relation, or_where=none) -%}
    select * from {{ relation }}
    {%- if is_incremental() %}
    where
        _built_at > {{ high_water_mark() }}
        {%- if or_where %}
        or {{ or_where }}
        {%- endif %}
    {%- endif %}
{%- endmacro %}

{#-
    For a daily KPI table rebuilt per (client_id, channel, <date_column>) partition: the parent's rows of
    every partition that has a row restamped since this model's last build (all rows on a full build).
    Channel is part of the partition: a ticket updated weeks later rebuilds that day's e-mail rows, not the
    calls and chats of the day as well.
-#}
{% macro rows_of_changed_partitions(relation, date_column='interaction_date') -%}
    {#- a semi join (not `(a, b) in (…)`): DuckDB then pushes the changed dates' range into the scan, which
        skips the row groups of older dates instead of reading the whole history -#}
    select parent_rows.* from {{ relation }} as parent_rows
    {%- if is_incremental() %}
    semi join ({{ changed_partitions(relation, date_column) }}) as changed_partitions
        using (client_id, channel, {{ date_column }})
    {%- endif %}
{%- endmacro %}

{% macro changed_partitions(relation, date_column='interaction_date') -%}
    select distinct client_id, channel, {{ date_column }}
    from {{ relation }}
    where _built_at > {{ high_water_mark() }}
{%- endmacro %}

{#-
    Appended to a KPI table's final select (`... from aggregated {{ changed_partition_tombstones(...) }}`):
    a tombstone (replace_keys) for every partition rows_of_changed_partitions rebuilt, so a partition left
    without any qualifying row (the only eligible contact of a day no longer eligible) is emptied instead
    of keeping its old counts. `key_date_column`: the table's name for the date, when it differs.
-#}
{% macro changed_partition_tombstones(relation, date_column='interaction_date', key_date_column=none) -%}
    {%- if is_incremental() %}
    union all by name
    select
        client_id,
        channel,
        {{ date_column }} as {{ key_date_column or date_column }},
        null::timestamp as _built_at
    from ({{ changed_partitions(relation, date_column) }})
    {%- endif %}
{%- endmacro %}

{#-
    Of the rows a model recomputed, those that are new or differ from what it holds (every column but
    _built_at compared, nulls equal). Keeps a wide recomputation (every contact of a customer) from
    restamping unchanged rows, so the models downstream rebuild only what really changed.

    With `row_hash`, the model stores `_row_hash` (a 64-bit hash of every other column but _built_at) and
    the comparison reads only the keys and that hash of what it holds, not every column of its history:
    at 100k interactions a day this took int_interactions_windowed's day-30 CPU time from 2.4 to 1.6 s.
    Two different rows with the same hash (odds 2^-64 per changed row) would keep the old one.
    `stored` (row_hash only): a select of the stored rows the recomputed ones can match, when the model
    can name them; compared with the whole table, DuckDB may build its hash table on every stored key.
-#}
{% macro keep_changed_rows(rows_cte, key_columns, row_hash=false, stored=none) -%}
    {%- set keys = key_columns | join(', ') -%}
    {%- if row_hash %}
    select hashed.*
    from (
        select {{ rows_cte }}.*, {{ row_hash_of(rows_cte) }} as _row_hash
        from {{ rows_cte }}
    ) as hashed
    {#- a table built before it stored the hash: every recomputed row is rewritten, once -#}
    {%- if stored_column_exists('_row_hash') %}
    anti join (select {{ keys }}, _row_hash from ({{ stored or this }})) as existing using ({{ keys }}, _row_hash)
    {%- endif %}
    {%- elif is_incremental() and stored_column_exists('_built_at') %}
    {#- (a table built before it stamped its rows: every recomputed row is rewritten, once) #}
    select {{ rows_cte }}.*
    from {{ rows_cte }}
    semi join (
        select {{ keys }}
        from (
            select * exclude (_built_at) from {{ rows_cte }}
            except
            select existing.* exclude (_built_at)
            from {{ this }} as existing
            semi join {{ rows_cte }} using ({{ keys }})
        )
    ) as changed_keys using ({{ keys }})
    {%- else %}
    select * from {{ rows_cte }}
    {%- endif %}
{%- endmacro %}

{#- A 64-bit hash of every column of `relation` but _built_at: what a model stores as `_row_hash`. -#}
{% macro row_hash_of(relation) -%}
    hash(*columns({{ relation }}.* exclude (_built_at)))
{%- endmacro %}

{#-
    On an incremental run, whether this model's table already has `column` (an older version may not).
    False in a dbt unit test (`this` is then a fixture, not a table); a unit test can override it.
-#}
{% macro stored_column_exists(column) -%}
    {%- set stored = adapter.get_columns_in_relation(this) | map(attribute='name') | list
        if is_incremental() and this is not string else [] %}
    {{ return(column in stored) }}
{%- endmacro %}
