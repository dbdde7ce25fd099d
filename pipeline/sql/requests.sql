-- Table 三 (requests) for report year $year in format $fmt, cut-off 31 December:
-- received in the year; carried in; answered in the year by outcome; still open.
with
bounds as (
    select make_date($year, 1, 1) as year_start, make_date($year, 12, 31) as year_end
),

leaf as (
    select
        r.*,
        case
            when $fmt = '2019' and r.outcome like 'other.%' then 'other'
            when $fmt = '2021' and r.outcome = 'other' then 'other.other'
            else r.outcome
        end as row_outcome
    from requests as r
),

flagged as (
    select
        applicant,
        row_outcome,
        received between year_start and year_end as is_new,
        received < year_start and (answered is null or answered >= year_start) as is_carried_in,
        answered between year_start and year_end as is_answered,
        received <= year_end and (answered is null or answered > year_end) as is_carried_out
    from leaf, bounds
),

cells as (
    select 'new' as row_code, applicant as col_code, count(*) as value from flagged where is_new group by all
    union all
    select 'carried_in', applicant, count(*) from flagged where is_carried_in group by all
    union all
    select row_outcome, applicant, count(*) from flagged where is_answered group by all
    union all
    select 'result_total', applicant, count(*) from flagged where is_answered group by all
    union all
    select 'carried_out', applicant, count(*) from flagged where is_carried_out group by all
),

with_total as (
    select * from cells
    union all
    select row_code, 'total', sum(value) from cells group by row_code
)

select 'requests' as "table", row_code, col_code, value::double as value
from with_total
order by all
