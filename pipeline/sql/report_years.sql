-- Report years: every year in which an accepted item falls. Register kinds add
-- their dates here (received, answered, issued, published, repealed …).
with
years as (
    select distinct year(published) as year from items
)

select year from years order by year
