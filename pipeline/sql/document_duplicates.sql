-- Documents listed twice: same 文号 when both have one, otherwise same 文件名称
-- and 制发日期. Each duplicate names the first listing, which is the one counted.
create or replace table document_duplicates as
with
numbered as (
    select
        file, sheet, sheet_no, excel_row,
        first_value({'file': file, 'sheet': sheet, 'sheet_no': sheet_no, 'excel_row': excel_row})
            over (partition by doc_no_key order by file, sheet_no, excel_row) as first
    from document_rows
    where doc_no_key is not null
),

number_duplicates as (
    select *, '文号' as matched_on
    from numbered
    where not (file = first.file and sheet_no = first.sheet_no and excel_row = first.excel_row)
),

candidates as (
    select d.*
    from document_rows as d
    anti join number_duplicates as n using (file, sheet_no, excel_row)
),

named as (
    select
        file, sheet, sheet_no, excel_row, doc_no_key,
        first_value({'file': file, 'sheet': sheet, 'sheet_no': sheet_no, 'excel_row': excel_row, 'doc_no_key': doc_no_key})
            over (partition by name_key, made order by file, sheet_no, excel_row) as first
    from candidates
),

name_duplicates as (
    select *, '文件名称和制发日期' as matched_on
    from named
    -- two documents with different 文号 are two documents, whatever their names
    where (doc_no_key is null or first.doc_no_key is null)
      and not (file = first.file and sheet_no = first.sheet_no and excel_row = first.excel_row)
)

select file, sheet, sheet_no, excel_row, first.file as first_file, first.sheet as first_sheet,
       first.excel_row as first_row, matched_on
from number_duplicates
union all
select file, sheet, sheet_no, excel_row, first.file, first.sheet, first.excel_row, matched_on
from name_duplicates
