-- api_keys rows are rewritten in place all day: every limits exchange (each node, every 500 ms)
-- stores the uses left of each capped key in use, and last-used notes land on every key in use.
-- Filled to the brim, a page has no room for a row's new version, so each of those updates wrote
-- it to another page and a new entry into every one of the table's ten indexes (three of them
-- GIN): with 1,000 capped keys in use, PostgreSQL spent 10-12 µs of CPU per verification on it.
-- Pages filled to 70% keep room for the new version beside the old, and an update that changes
-- no indexed column (usage_remaining, usage_refilled_at, usage_low_noticed_at) touches no index
-- (a heap-only tuple): 5-6 µs. It applies to pages written from now on; an existing table's
-- pages spread out as their rows are updated, or at once with VACUUM FULL api_keys.
ALTER TABLE "api_keys" SET (fillfactor = 70);
