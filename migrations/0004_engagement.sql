CREATE TABLE "conversions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"model" text NOT NULL,
	"delivery_id" uuid NOT NULL,
	"journey_id" text NOT NULL,
	"journey_version" integer NOT NULL,
	"step_id" text NOT NULL,
	"channel" text NOT NULL,
	"weight" double precision NOT NULL,
	"revenue" double precision DEFAULT 0 NOT NULL,
	"currency" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "delivery_links" (
	"delivery_id" uuid NOT NULL,
	"link_index" integer NOT NULL,
	"url" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "delivery_links_delivery_id_link_index_pk" PRIMARY KEY("delivery_id","link_index")
);
--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "delivery_id" uuid;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "flags" jsonb;--> statement-breakpoint
ALTER TABLE "journey_runs" ADD COLUMN "trace" jsonb;--> statement-breakpoint
ALTER TABLE "conversions" ADD CONSTRAINT "conversions_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "conversions_event_model_delivery_idx" ON "conversions" USING btree ("event_id","model","delivery_id");--> statement-breakpoint
CREATE INDEX "conversions_journey_idx" ON "conversions" USING btree ("journey_id","journey_version","step_id","channel");--> statement-breakpoint
CREATE INDEX "events_delivery_idx" ON "events" USING btree ("delivery_id");