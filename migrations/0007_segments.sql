CREATE TABLE "segment_due_checks" (
	"segment_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	CONSTRAINT "segment_due_checks_segment_id_customer_id_pk" PRIMARY KEY("segment_id","customer_id")
);
--> statement-breakpoint
CREATE TABLE "segment_memberships" (
	"segment_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"version" integer NOT NULL,
	"entered_at" timestamp with time zone NOT NULL,
	"exited_at" timestamp with time zone,
	CONSTRAINT "segment_memberships_segment_id_customer_id_pk" PRIMARY KEY("segment_id","customer_id")
);
--> statement-breakpoint
CREATE TABLE "segment_versions" (
	"segment_id" text NOT NULL,
	"version" integer NOT NULL,
	"definition" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "segment_versions_segment_id_version_pk" PRIMARY KEY("segment_id","version")
);
--> statement-breakpoint
CREATE TABLE "segments" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"active_version" integer NOT NULL,
	"depends_on_events" text[] DEFAULT '{}'::text[] NOT NULL,
	"reads_profile" boolean DEFAULT false NOT NULL,
	"computed_version" integer DEFAULT 0 NOT NULL,
	"compute_cursor" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "segment_due_checks" ADD CONSTRAINT "segment_due_checks_segment_id_segments_id_fk" FOREIGN KEY ("segment_id") REFERENCES "public"."segments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segment_due_checks" ADD CONSTRAINT "segment_due_checks_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segment_memberships" ADD CONSTRAINT "segment_memberships_segment_id_segments_id_fk" FOREIGN KEY ("segment_id") REFERENCES "public"."segments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segment_memberships" ADD CONSTRAINT "segment_memberships_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segment_versions" ADD CONSTRAINT "segment_versions_segment_id_segments_id_fk" FOREIGN KEY ("segment_id") REFERENCES "public"."segments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "segment_due_checks_due_idx" ON "segment_due_checks" USING btree ("due_at");--> statement-breakpoint
CREATE INDEX "segment_memberships_customer_idx" ON "segment_memberships" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "segment_members_idx" ON "segment_memberships" USING btree ("segment_id","customer_id") WHERE "segment_memberships"."exited_at" is null;--> statement-breakpoint
CREATE INDEX "segments_depends_on_events_idx" ON "segments" USING gin ("depends_on_events");