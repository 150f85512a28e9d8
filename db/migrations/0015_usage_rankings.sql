CREATE TABLE "usage_rankings" (
	"project_id" uuid NOT NULL,
	"range" text NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL,
	"computed_version" bigint DEFAULT -1 NOT NULL,
	"window_from" timestamp with time zone,
	"keys" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"computed_at" timestamp with time zone,
	"viewed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_rankings_project_id_range_pk" PRIMARY KEY("project_id","range")
);
--> statement-breakpoint
ALTER TABLE "usage_rankings" ADD CONSTRAINT "usage_rankings_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;