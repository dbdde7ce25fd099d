-- Table 四 (appeals) for report year $year: every case received in or before the
-- year and not concluded before it, by its result when concluded in the year,
-- as pending otherwise. Columns are GROUP.COL.
with
bounds as (
    select make_date($year, 1, 1) as year_start, make_date($year, 12, 31) as year_end
),

open_in_year as (
    select
        case_type,
        case when concluded <= year_end then result else 'pending' end as state
    from appeal_cases, bounds
    where received <= year_end
      and (concluded is null or concluded >= year_start)
),

cells as (
    select case_type || '.' || state as col_code, count(*) as value from open_in_year group by all
    union all
    select case_type || '.total', count(*) from open_in_year group by all
)

select 'appeals' as "table", 'cases' as row_code, col_code, value::double as value
from cells
order by all
