{#-
    The CRM names of the customer a record points at (by CRM id, normalised e-mail and/or phone, inside the
    record's client), one row per record: `<id_column>, customer_names`. Used only to feed cx_redact.
    Arguments are SQL expressions over the `records` CTE; pass none for a lookup the source lacks.
-#}
{% macro crm_names_of(records, id_column, crm_id=none, email=none, phone=none) -%}
    {%- set lookups = [] -%}
    {%- if crm_id is not none %}{% do lookups.append(("crm", "trim(" ~ crm_id ~ ")")) %}{% endif -%}
    {%- if email is not none %}{% do lookups.append(("email", normalised_email(email))) %}{% endif -%}
    {%- if phone is not none %}{% do lookups.append(("phone", normalised_phone(phone))) %}{% endif -%}
    select
        lookups.{{ id_column }},
        list(distinct crm_names.full_name) as customer_names
    from (
        {%- for kind, value in lookups %}
        select {{ id_column }}, client_id, '{{ kind }}' as match_kind, {{ value }} as match_value
        from {{ records }}
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ) as lookups
    inner join {{ ref('base_crm__customer_names') }} as crm_names
        on
            lookups.client_id = crm_names.client_id
            and lookups.match_kind = crm_names.match_kind
            and lookups.match_value = crm_names.match_value
    {#- the kinds this source matches by, as constants: DuckDB drops the lookup's other branches
        (a phone normalisation of every CRM row, for a source that has no phone) #}
    where crm_names.match_kind in ({% for kind, value in lookups %}'{{ kind }}'{% if not loop.last %}, {% endif %}{% endfor %})
    group by lookups.{{ id_column }}
{%- endmacro %}

{#- Names to redact: the given list expressions concatenated, nulls dropped. -#}
{% macro names_list(expressions) -%}
    list_filter(
        list_concat({% for expression in expressions %}coalesce({{ expression }}, []::varchar[]){% if not loop.last %}, {% endif %}{% endfor %}),
        lambda name: name is not null
    )
{%- endmacro %}

{#-
    cx_redact is a Python UDF (one call per text, single-threaded under the GIL): it is only called for a
    text it could change — one with a digit, an `@`, a non-ASCII character, or a part of one of the names
    in it (ignoring case). Any other text is returned as is, exactly as cx_redact would return it: every
    name token cx_redact matches (the whole name or a part of it) contains one of the parts tested here.
    Names are split at what Python's `\s` matches in a str (Unicode white space: cx_redact splits names
    with `[\s,]+`) and at commas (tests/unit/test_redaction_sql.py compares the two). The names are
    lowered, joined and split once per text, and the text lowered once: the one-element list binds it for
    the lambda, where a `lower(text)` inside the lambda ran once per part (the whole expression over a 1M
    day's 579,754 tickets, each with its requester and five fixed names, cx_redact stubbed, on one thread:
    4.7 → 2.3 s).
-#}
{% macro redacted(text, names) -%}
    {%- set separators = [9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 44, 133, 160, 5760, 8192, 8193, 8194, 8195,
        8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288] -%}
    case
        when {{ text }} is null then null
        when
            regexp_matches({{ text }}, '[0-9@]|[^\x00-\x7F]')
            or list_transform([lower({{ text }})], lambda lowered_text: list_bool_or(list_transform(
                string_split(
                    translate(
                        lower(array_to_string({{ names }}, ' ')),
                        {% for code in separators %}chr({{ code }}){% if not loop.last %} || {% endif %}{% endfor %},
                        '{{ " " * (separators | length) }}'
                    ),
                    ' '
                ),
                lambda part: length(part) > 0 and contains(lowered_text, part)
            )))[1]
            then cx_redact({{ text }}, {{ names }})
        else {{ text }}
    end
{%- endmacro %}

{#-
    `redacted_each(texts, names)`, reusing what the model already holds for a record whose texts and names
    are the very ones it last redacted: a ticket exported again because its status changed is not redacted
    a second time (at day 30 of 100k interactions a day, 3 of every 4 tickets restaged are such updates).
    The key, `_redaction_key`, is the keyed hash (cx_redaction_key: HMAC with the warehouse's key, and
    the redaction's version) of the texts and names as JSON, so it says nothing about them to anyone
    without the key. `key`: the record's `redaction_key(texts, names)`, computed once beforehand;
    `previous`: the model's stored row of the record (left joined; null when new), with `redacted_columns`
    its redacted texts, aligned with `texts`.
-#}
{% macro redaction_key(texts, names) -%}
    cx_redaction_key(to_json({'texts': [{{ texts | join(', ') }}], 'names': {{ names }}})::varchar)
{%- endmacro %}

{% macro redacted_each_or_reused(texts, names, key, previous, redacted_columns) -%}
    case
        when {{ previous }}._redaction_key = {{ key }}
            then [{% for column in redacted_columns %}{{ previous }}.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}]
        else {{ redacted_each(texts, names) }}
    end
{%- endmacro %}

{#- The sentences of a text: runs up to and including their closing punctuation, or a line break. -#}
{#-
    Several texts of one record redacted in a single cx_redact call (the names' pattern is built once):
    joined with the ASCII unit separator, which none of the redaction patterns matches or crosses, and
    split again. Returns a list aligned with `texts`; a null text stays null.
-#}
{% macro redacted_each(texts, names) -%}
    {%- set separator = "chr(31)" -%}
    {%- set joined -%}
        {% for text in texts %}coalesce({{ text }}, ''){% if not loop.last %} || {{ separator }} || {% endif %}{% endfor %}
    {%- endset -%}
    list_transform(
        string_split({{ redacted(joined, names) }}, {{ separator }}),
        lambda part, position: case
            {%- for text in texts %}
            when position = {{ loop.index }} and {{ text }} is not null then part
            {%- endfor %}
        end
    )
{%- endmacro %}

{% macro sentences_of(text) -%}
    list_filter(
        list_transform(regexp_extract_all({{ text }}, '[^.!?\n]+[.!?]*'), lambda sentence: trim(sentence)),
        lambda sentence: regexp_matches(sentence, '[[:alpha:]]')
    )
{%- endmacro %}

{#-
    Sentiment of redacted texts, one row per record: `<id_column>, <text>_sentiment_score` for each text
    column. A text's score is the mean VADER compound score of its sentences (VADER's recommended
    reading of multi-sentence text), rounded to VADER's 4 decimals. Each distinct sentence is scored once
    per build: texts are mostly made of recurring sentences, so the Python UDF runs far fewer times than
    there are texts. Means are taken on exact decimals, so a rebuild gives the same digits.
-#}
{% macro sentiment_scores(records, id_column, text_columns) -%}
    with

    sentence_rows as materialized (
        {%- for column in text_columns %}
        select {{ id_column }}, '{{ column }}' as text_column, unnest({{ sentences_of(column) }}) as sentence
        from {{ records }}
        where {{ column }} is not null
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ),

    scored_sentences as (
        select sentence, cx_sentiment(sentence) as score
        from (select distinct sentence from sentence_rows)
    ),

    {#- Sentences without a score are left out by count(score) and `having`, not by a `where`: a filter on
        the score would be pushed below the distinct and call cx_sentiment once per sentence row. -#}
    text_scores as (
        select
            sentence_rows.{{ id_column }},
            sentence_rows.text_column,
            round(sum(scored_sentences.score::decimal(18, 4)) / count(scored_sentences.score), 4)::double as score
        from sentence_rows
        inner join scored_sentences on sentence_rows.sentence = scored_sentences.sentence
        group by sentence_rows.{{ id_column }}, sentence_rows.text_column
        having count(scored_sentences.score) > 0
    )

    select
        {{ id_column }},
        {%- for column in text_columns %}
        max(score) filter (where text_column = '{{ column }}') as {{ column | replace('_redacted', '') }}_sentiment_score
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from text_scores
    group by {{ id_column }}
{%- endmacro %}

{#- A name or phrase in the form names are compared in: lower case, single spaces. -#}
{% macro name_form(text) -%}
    lower(regexp_replace(trim({{ text }}), '\s+', ' ', 'g'))
{%- endmacro %}

{#-
    The known full names (stg_people__name_keys) mentioned in any of a record's texts, one row per record:
    `<id_column>, mentioned_names` (as written in lower case). Candidates are runs of capitalised words,
    short lower-case particles allowed between them (Cherry de Leon, Juan dela Cruz), found by a vectorised
    regular expression; every distinct 2–4 word phrase inside a run is keyed with cx_hash and looked up
    with one hash join among the names known by the record's export day — never a regular expression per
    name. Names written in lower case are not found by this pass (the record's own names are redacted by
    cx_redact in any case).
-#}
{% macro known_names_in(records, id_column, texts) -%}
    {%- set capitalised_run = "\\p{Lu}[\\p{L}''\\-]*(?:[ \\t]+(?:\\p{Ll}{1,4}[ \\t]+)*\\p{Lu}[\\p{L}''\\-]*)+" -%}
    with

    phrases as materialized (
        select
            {{ id_column }},
            _export_date,
            unnest(
                list_concat(
                    list_transform(range(1, len(words)), lambda p: array_to_string(words[p:p + 1], ' ')),
                    list_transform(range(1, len(words) - 1), lambda p: array_to_string(words[p:p + 2], ' ')),
                    list_transform(range(1, len(words) - 2), lambda p: array_to_string(words[p:p + 3], ' '))
                )
            ) as phrase
        from (
            select {{ id_column }}, _export_date, string_split({{ name_form('run') }}, ' ') as words
            from (
                {%- for text in texts %}
                select
                    {{ id_column }},
                    _export_date,
                    unnest(regexp_extract_all({{ text }}, '{{ capitalised_run }}')) as run
                from {{ records }}
                where {{ text }} is not null
                {%- if not loop.last %}
                union all
                {%- endif %}
                {%- endfor %}
            ) as runs
        ) as candidates
    ),

    keyed_phrases as (
        select phrase, cx_hash('name:' || phrase) as name_key
        from (select distinct phrase from phrases)
    )

    select
        phrases.{{ id_column }},
        list(distinct phrases.phrase) as mentioned_names
    from phrases
    inner join keyed_phrases on phrases.phrase = keyed_phrases.phrase
    inner join {{ ref('stg_people__name_keys') }} as known_names
        on
            keyed_phrases.name_key = known_names.name_key
            and known_names.first_export_date <= phrases._export_date
    group by phrases.{{ id_column }}
{%- endmacro %}
