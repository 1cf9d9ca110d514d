CREATE TABLE "score_runs" (
	"score_id" text NOT NULL,
	"version" integer NOT NULL,
	"computed_at" timestamp (3) with time zone NOT NULL,
	"scored" integer NOT NULL,
	"changed" integer NOT NULL,
	CONSTRAINT "score_runs_score_id_version_pk" PRIMARY KEY("score_id","version")
);
--> statement-breakpoint
-- Rows already computed keep their cells (no score_changed flood on upgrade): the last purchase is
-- when the row was computed less the days since it.
ALTER TABLE "rfm_scores" ADD COLUMN "last_purchase_at" timestamp (3) with time zone;--> statement-breakpoint
UPDATE "rfm_scores" SET "last_purchase_at" = "computed_at" - make_interval(days => "recency_days");--> statement-breakpoint
ALTER TABLE "rfm_scores" ALTER COLUMN "last_purchase_at" SET NOT NULL;--> statement-breakpoint
INSERT INTO "score_runs" ("score_id", "version", "computed_at", "scored", "changed")
SELECT "score_id", "version", max("computed_at"), count(*), 0 FROM "rfm_scores" GROUP BY "score_id", "version";--> statement-breakpoint
ALTER TABLE "rfm_scores" DROP COLUMN "recency_days";--> statement-breakpoint
ALTER TABLE "rfm_scores" DROP COLUMN "computed_at";