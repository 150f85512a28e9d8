DROP INDEX "api_keys_project_last_used_idx";--> statement-breakpoint
CREATE INDEX "api_keys_name_grams_idx" ON "api_keys" USING gin (keyward_name_grams("name"));--> statement-breakpoint
CREATE INDEX "api_keys_project_last_used_idx" ON "api_keys" USING btree ("project_id",coalesce("last_used_at", '-infinity'::timestamptz),"id","last_used_at");