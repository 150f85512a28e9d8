-- A search that matches many keys shows "about N" (lib/keys/list.ts) instead of counting them:
-- counting 25,000 matches out of a million keys means reading whole trigram posting lists and
-- thousands of rows, where the page itself is a few hundred index entries. N is the planner's
-- own estimate of the project's keys whose lower-cased names are LIKE all the patterns, read from
-- EXPLAIN with the project and patterns as literals (%L quotes them): one planning, a fraction of
-- a millisecond, and no scan. VOLATILE: PostgreSQL allows EXPLAIN in no other function.
CREATE FUNCTION keyward_estimate_name_matches(project uuid, patterns text[]) RETURNS float8
LANGUAGE plpgsql VOLATILE STRICT AS $$
DECLARE
  plan json;
BEGIN
  EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM api_keys WHERE project_id = %L AND lower(name) LIKE ALL (%L::text[])',
    project, (SELECT array_agg(lower(pattern)) FROM unnest(patterns) AS pattern)) INTO plan;
  RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::float8;
END
$$;
--> statement-breakpoint
-- The estimate matches the pattern against the most common lower-cased names and a histogram of
-- the rest. With the default 100 of each, a name in 40 came out anywhere from 3,000 to 30,000 at
-- a million keys (it falls in two or three of the histogram's buckets); with 1,000, within 5%.
-- Statistics of their own, on lower(name): the column's own would make every search's planning
-- slower (a millisecond, four on PGlite), as ILIKE is matched against all of them.
CREATE STATISTICS "api_keys_lower_name_stats" ON (lower("name")) FROM "api_keys";
--> statement-breakpoint
ALTER STATISTICS "api_keys_lower_name_stats" SET STATISTICS 1000;
--> statement-breakpoint
-- For the next migration's index of a project's uuid beside its names' trigrams.
CREATE EXTENSION IF NOT EXISTS btree_gin;
