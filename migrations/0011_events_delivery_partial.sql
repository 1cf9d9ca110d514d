DROP INDEX "events_delivery_idx";--> statement-breakpoint
CREATE INDEX "events_delivery_idx" ON "events" USING btree ("delivery_id") WHERE "events"."delivery_id" is not null;