ALTER TABLE "api_keys" ADD COLUMN "usage_low_noticed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "rate_limited_noticed_at" timestamp with time zone;