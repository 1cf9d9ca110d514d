CREATE TABLE "customer_scores" (
	"customer_id" text NOT NULL,
	"score_id" text NOT NULL,
	"version" integer NOT NULL,
	"value" double precision NOT NULL,
	"as_of" timestamp (3) with time zone NOT NULL,
	"decay_per_day" double precision NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customer_scores_customer_id_score_id_version_pk" PRIMARY KEY("customer_id","score_id","version")
);
--> statement-breakpoint
CREATE TABLE "score_contributions" (
	"score_id" text NOT NULL,
	"version" integer NOT NULL,
	"event_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"event_type" text NOT NULL,
	"points" double precision NOT NULL,
	"occurred_at" timestamp (3) with time zone NOT NULL,
	"counted_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "score_contributions_score_id_version_event_id_pk" PRIMARY KEY("score_id","version","event_id")
);
--> statement-breakpoint
ALTER TABLE "customer_scores" ADD CONSTRAINT "customer_scores_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_contributions" ADD CONSTRAINT "score_contributions_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "score_contributions_customer_idx" ON "score_contributions" USING btree ("customer_id","occurred_at" DESC NULLS LAST);