CREATE TYPE "public"."usage_granularity" AS ENUM('minute', 'hour', 'day');--> statement-breakpoint
CREATE TABLE "key_usage" (
	"api_key_id" uuid NOT NULL,
	"project_id" uuid NOT NULL,
	"granularity" "usage_granularity" NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"code" text NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "key_usage_api_key_id_period_start_granularity_code_pk" PRIMARY KEY("api_key_id","period_start","granularity","code")
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "last_used_address" text;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "expiry_notice" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "key_usage_project_period_idx" ON "key_usage" USING btree ("project_id","period_start");--> statement-breakpoint
CREATE INDEX "key_usage_granularity_period_idx" ON "key_usage" USING btree ("granularity","period_start");--> statement-breakpoint
CREATE INDEX "api_keys_expiring_idx" ON "api_keys" USING btree ("expires_at") WHERE "api_keys"."expires_at" is not null;