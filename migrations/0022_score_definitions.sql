CREATE TABLE "score_definitions" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"active_version" integer DEFAULT 0 NOT NULL,
	"latest_version" integer NOT NULL,
	"backfill_cursor" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "score_versions" (
	"score_id" text NOT NULL,
	"version" integer NOT NULL,
	"definition" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "score_versions_score_id_version_pk" PRIMARY KEY("score_id","version")
);
--> statement-breakpoint
ALTER TABLE "score_versions" ADD CONSTRAINT "score_versions_score_id_score_definitions_id_fk" FOREIGN KEY ("score_id") REFERENCES "public"."score_definitions"("id") ON DELETE no action ON UPDATE no action;