CREATE TABLE "project_usage" (
	"project_id" uuid NOT NULL,
	"granularity" "usage_granularity" NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"code" text NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "project_usage_project_id_granularity_period_start_code_pk" PRIMARY KEY("project_id","granularity","period_start","code")
);
--> statement-breakpoint
DROP INDEX "key_usage_project_period_idx";--> statement-breakpoint
CREATE INDEX "project_usage_granularity_period_idx" ON "project_usage" USING btree ("granularity","period_start");--> statement-breakpoint
CREATE INDEX "key_usage_project_grain_period_idx" ON "key_usage" USING btree ("project_id","granularity","period_start","api_key_id","code","count");--> statement-breakpoint
-- Counts written before every grain was: each row is added to the coarser grains it has no row at yet.
INSERT INTO "key_usage" ("api_key_id", "project_id", "granularity", "period_start", "code", "count")
SELECT "api_key_id", "project_id", "grains"."coarser"::"usage_granularity", date_trunc("grains"."coarser", "period_start", 'UTC'), "code", sum("count")
  FROM "key_usage" JOIN (VALUES ('minute', 'hour'), ('minute', 'day'), ('hour', 'day')) AS "grains"("finer", "coarser") ON "key_usage"."granularity"::text = "grains"."finer"
 GROUP BY 1, 2, 3, 4, 5
ON CONFLICT ("api_key_id", "period_start", "granularity", "code") DO UPDATE SET "count" = "key_usage"."count" + excluded."count";--> statement-breakpoint
INSERT INTO "project_usage" ("project_id", "granularity", "period_start", "code", "count")
SELECT "project_id", "granularity", "period_start", "code", sum("count") FROM "key_usage" GROUP BY 1, 2, 3, 4;
