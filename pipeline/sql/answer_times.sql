-- Requests answered in report year $year, with the listing that gave the answer
-- (reconcile puts its lineage on the request). 是否延期 counts as 是 when any
-- listing of the request (same 申请编号 and 收到日期) says 是: the extension is
-- often recorded in last year's register while the request is still pending.
select
    r.request_id,
    r.received,
    r.answered,
    coalesce((
        select bool_or(x.extended)
        from request_rows as x
        where x.request_id = r.request_id and x.received = r.received
    ), false) as extended,
    r.file,
    r.sheet,
    r.excel_row
from requests as r
where year(r.answered) = $year
order by r.answered, r.request_id
