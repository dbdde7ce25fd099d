-- Report years: every year in which a published item, a request (received or
-- answered), an appeal case (received or concluded) or a document (issued,
-- published or repealed) falls. Service figures alone make no report year.
-- Requests and cases come from the reconciled tables: a row rejected as a
-- register conflict is left out of every table, so it makes no year either.
with
dates as (
    select published as day from items
    union all select received from requests
    union all select answered from requests
    union all select received from appeal_cases
    union all select concluded from appeal_cases
    union all select made from document_rows
    union all select published from document_rows
    union all select repealed from document_rows
)

select distinct year(day) as year
from dates
where day is not null
order by year
