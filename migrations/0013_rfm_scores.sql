CREATE TABLE "rfm_scores" (
	"customer_id" text NOT NULL,
	"score_id" text NOT NULL,
	"version" integer NOT NULL,
	"recency_days" integer NOT NULL,
	"purchases" integer NOT NULL,
	"monetary" double precision NOT NULL,
	"r" smallint NOT NULL,
	"f" smallint NOT NULL,
	"m" smallint NOT NULL,
	"cell" text NOT NULL,
	"value" smallint NOT NULL,
	"computed_at" timestamp (3) with time zone NOT NULL,
	"cell_since" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "rfm_scores_customer_id_score_id_version_pk" PRIMARY KEY("customer_id","score_id","version")
);
--> statement-breakpoint
ALTER TABLE "rfm_scores" ADD CONSTRAINT "rfm_scores_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;