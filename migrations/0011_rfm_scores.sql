CREATE TABLE "rfm_scores" (
	"customer_id" text NOT NULL,
	"score_id" text NOT NULL,
	"version" integer NOT NULL,
	"last_purchase_at" timestamp (3) with time zone NOT NULL,
	"purchases" integer NOT NULL,
	"monetary" double precision NOT NULL,
	"r" smallint NOT NULL,
	"f" smallint NOT NULL,
	"m" smallint NOT NULL,
	"cell" text NOT NULL,
	"value" smallint NOT NULL,
	"cell_since" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "rfm_scores_customer_id_score_id_version_pk" PRIMARY KEY("customer_id","score_id","version")
);
--> statement-breakpoint
CREATE TABLE "score_runs" (
	"score_id" text NOT NULL,
	"version" integer NOT NULL,
	"computed_at" timestamp (3) with time zone NOT NULL,
	"scored" integer NOT NULL,
	"changed" integer NOT NULL,
	CONSTRAINT "score_runs_score_id_version_pk" PRIMARY KEY("score_id","version")
);
--> statement-breakpoint
ALTER TABLE "rfm_scores" ADD CONSTRAINT "rfm_scores_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;