-- Items listed twice in one channel: same link when both have one, otherwise
-- same day and same title. Each duplicate names the first listing (by file,
-- sheet, row), which is the one counted.
create or replace table item_duplicates as
with
linked as (
    select
        file, sheet, sheet_no, excel_row, channel,
        first_value({'file': file, 'sheet': sheet, 'sheet_no': sheet_no, 'excel_row': excel_row})
            over (partition by channel, link_key order by file, sheet_no, excel_row) as first
    from items
    where link_key is not null
),

link_duplicates as (
    select *, '链接' as matched_on
    from linked
    where not (file = first.file and sheet_no = first.sheet_no and excel_row = first.excel_row)
),

candidates as (
    select i.*
    from items as i
    anti join link_duplicates as d using (file, sheet_no, excel_row)
),

titled as (
    select
        file, sheet, sheet_no, excel_row, channel, link_key,
        -- an item with a link is preferred as the one that counts
        first_value({'file': file, 'sheet': sheet, 'sheet_no': sheet_no, 'excel_row': excel_row})
            over (partition by channel, published, title_key
                  order by link_key is null, file, sheet_no, excel_row) as first
    from candidates
),

title_duplicates as (
    select file, sheet, sheet_no, excel_row, channel, first, '发布日期和标题' as matched_on
    from titled
    where link_key is null
      and not (file = first.file and sheet_no = first.sheet_no and excel_row = first.excel_row)
)

select file, sheet, sheet_no, excel_row, channel, first.file as first_file,
       first.sheet as first_sheet, first.excel_row as first_row, matched_on
from link_duplicates
union all
select file, sheet, sheet_no, excel_row, channel, first.file, first.sheet, first.excel_row, matched_on
from title_duplicates
