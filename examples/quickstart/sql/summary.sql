-- Units and revenue per region over every curated file; $day is the day it reports on.
SELECT $day AS day, region, sum(units)::BIGINT AS units,
       round(sum(units * unit_price), 2) AS revenue
FROM 'lake://curated/incoming/*.parquet'
GROUP BY region
ORDER BY revenue DESC;
