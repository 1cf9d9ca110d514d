CREATE TABLE "customer_identifiers" (
	"type" text NOT NULL,
	"value" text NOT NULL,
	"customer_id" text NOT NULL,
	"source" text,
	"first_seen" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customer_identifiers_type_value_pk" PRIMARY KEY("type","value")
);
--> statement-breakpoint
CREATE TABLE "customer_merges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"from_customer_id" text NOT NULL,
	"into_customer_id" text NOT NULL,
	"status" text NOT NULL,
	"reason" text NOT NULL,
	"caused_by" text NOT NULL,
	"moved" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"unmerged_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "customer_redirects" (
	"customer_id" text PRIMARY KEY NOT NULL,
	"survivor_id" text NOT NULL,
	"merge_id" uuid NOT NULL
);
--> statement-breakpoint
ALTER TABLE "customer_identifiers" ADD CONSTRAINT "customer_identifiers_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_redirects" ADD CONSTRAINT "customer_redirects_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_redirects" ADD CONSTRAINT "customer_redirects_survivor_id_customers_id_fk" FOREIGN KEY ("survivor_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customer_identifiers_customer_idx" ON "customer_identifiers" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "customer_merges_from_idx" ON "customer_merges" USING btree ("from_customer_id");--> statement-breakpoint
CREATE INDEX "customer_merges_into_idx" ON "customer_merges" USING btree ("into_customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "customer_merges_refused_pair_idx" ON "customer_merges" USING btree ("from_customer_id","into_customer_id") WHERE "customer_merges"."status" = 'refused';--> statement-breakpoint
CREATE INDEX "customer_redirects_survivor_idx" ON "customer_redirects" USING btree ("survivor_id");