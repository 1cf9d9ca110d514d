CREATE TABLE "customer_lifecycle" (
	"customer_id" text PRIMARY KEY NOT NULL,
	"stage" text NOT NULL,
	"since" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lifecycle_due_checks" (
	"customer_id" text PRIMARY KEY NOT NULL,
	"due_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "profile_rule_applications" (
	"rule_id" text NOT NULL,
	"event_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "profile_rule_applications_rule_id_event_id_pk" PRIMARY KEY("rule_id","event_id")
);
--> statement-breakpoint
ALTER TABLE "customer_lifecycle" ADD CONSTRAINT "customer_lifecycle_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lifecycle_due_checks" ADD CONSTRAINT "lifecycle_due_checks_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "profile_rule_applications" ADD CONSTRAINT "profile_rule_applications_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "lifecycle_due_checks_due_idx" ON "lifecycle_due_checks" USING btree ("due_at");