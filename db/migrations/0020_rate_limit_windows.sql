-- One row per rate-limited key and window length instead of one per key and window
-- (lib/limits/exchange.ts): each node's exchange, twice a second, updates the key's row in place
-- (its window, that window's total and the previous window's) instead of inserting a row for each
-- new window and reading two back. An edited window length starts a row of its own. The counts of
-- the windows under way start over at upgrade: a key may admit its limit once more in the window
-- under way.
CREATE TABLE "rate_limit_windows" (
	"api_key_id" uuid NOT NULL,
	"window_ms" integer NOT NULL,
	"window_start" bigint NOT NULL,
	"count" bigint NOT NULL,
	"previous" bigint NOT NULL,
	CONSTRAINT "rate_limit_windows_api_key_id_window_ms_pk" PRIMARY KEY("api_key_id","window_ms")
);
--> statement-breakpoint
-- Rewritten in place all day with no indexed column changed: room on each page keeps the new
-- version beside the old (heap-only), as for api_keys (0019).
ALTER TABLE "rate_limit_windows" SET (fillfactor = 70);
--> statement-breakpoint
DROP TABLE "rate_limit_counters" CASCADE;
