-- Table 二 (proactive) for report year $year: the documents
-- register (first group) and the yearly service figures (other groups).
-- A figure missing for the previous year leaves prev_items and change empty.
with
docs as (
    select d.*, coalesce(published, made) as public_on
    from document_rows as d
    anti join document_duplicates as x using (file, sheet_no, excel_row)
),

doc_cells as (
    select category as row_code, 'made' as col_code, count(*) filter (year(made) = $year) as value from docs group by all
    union all
    select category, 'published', count(*) filter (year(public_on) = $year) from docs group by all
    union all
    select category, 'total_published', count(*) filter (year(public_on) <= $year) from docs group by all
    union all
    select category, 'issued', count(*) filter (year(made) = $year) from docs group by all
    union all
    select category, 'repealed', count(*) filter (year(repealed) = $year) from docs group by all
    union all
    select category, 'in_force', count(*) filter (year(made) <= $year and (repealed is null or year(repealed) > $year)) from docs group by all
),

this_year as (
    select item, coalesce(items, 0) as items, coalesce(decisions, 0) as decisions, coalesce(amount, 0) as amount
    from services where year = $year
),

last_year as (
    select item, coalesce(items, 0) as items from services where year = $year - 1
),

service_items as (
    select unnest(['licensing', 'other_services', 'penalty', 'enforcement', 'fees', 'procurement']) as item
),

figures as (
    select s.item, t.items, t.decisions, t.amount, l.items as prev_items
    from service_items as s
    left join this_year as t using (item)
    left join last_year as l using (item)
),

service_cells as (
    select item as row_code, 'prev_items' as col_code, prev_items::double as value from figures
    union all
    select item, 'change', (coalesce(items, 0) - prev_items)::double from figures
    union all
    select item, 'decisions', coalesce(decisions, 0)::double from figures
    union all
    select item, 'amount', coalesce(amount, 0)::double from figures
    union all
    select item, 'projects', coalesce(items, 0)::double from figures
),

cells as (
    select row_code, col_code, value::double as value from doc_cells
    union all
    select * from service_cells
)

-- every column of both formats; aggregate.py keeps the cells of the year's format
select 'proactive' as "table", row_code, col_code, value
from cells
order by all
