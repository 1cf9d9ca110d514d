CREATE TABLE "customer_tombstones" (
	"customer_id" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"erased_at" timestamp with time zone,
	"released_at" timestamp with time zone,
	"rounds" integer DEFAULT 0 NOT NULL,
	"erased_rows" jsonb,
	"histories_deleted" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "erased_identifiers" (
	"kind" text NOT NULL,
	"hash" text NOT NULL,
	"customer_id" text NOT NULL,
	"suppression_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "erased_identifiers_kind_hash_pk" PRIMARY KEY("kind","hash")
);
--> statement-breakpoint
ALTER TABLE "conversions" ALTER COLUMN "customer_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "deliveries" ALTER COLUMN "customer_id" DROP NOT NULL;--> statement-breakpoint
CREATE INDEX "erased_identifiers_customer_idx" ON "erased_identifiers" USING btree ("customer_id");