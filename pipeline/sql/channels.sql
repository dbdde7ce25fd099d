-- Table channels for report year $year: items per channel (rows) and month
-- (m01..m12) plus the year's count; duplicates are counted once.
with
counted as (
    select i.channel, month(i.published) as month
    from items as i
    anti join item_duplicates as d using (file, sheet_no, excel_row)
    where year(i.published) = $year
),

per_month as (
    select channel as row_code, printf('m%02d', month) as col_code, count(*) as value
    from counted
    group by all
),

per_channel as (
    select channel as row_code, 'count' as col_code, count(*) as value
    from counted
    group by all
),

cells as (
    select * from per_month
    union all
    select * from per_channel
),

totals as (
    select 'total' as row_code, col_code, sum(value) as value
    from cells
    group by all
)

select 'channels' as "table", row_code, col_code, value::double as value from cells
union all
select 'channels', row_code, col_code, value::double from totals
order by all
