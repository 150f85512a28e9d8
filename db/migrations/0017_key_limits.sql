CREATE TABLE "rate_limit_counters" (
	"api_key_id" uuid NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "rate_limit_counters_api_key_id_window_start_pk" PRIMARY KEY("api_key_id","window_start")
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "allowed_addresses" text[];--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "rate_limit" integer;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "rate_limit_window_seconds" integer;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "usage_remaining" bigint;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "usage_cap" bigint;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "usage_refill_amount" bigint;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "usage_refill_interval" text;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "usage_refilled_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "rate_limit_counters_window_idx" ON "rate_limit_counters" USING btree ("window_start");