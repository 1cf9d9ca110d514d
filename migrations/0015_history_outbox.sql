DROP INDEX "events_unrouted_idx";--> statement-breakpoint
DROP INDEX "events_unrouted_customer_idx";--> statement-breakpoint
CREATE INDEX "events_unrouted_history_idx" ON "events" USING btree ("seq") WHERE "events"."routed_at" is null and "events"."audience_only";--> statement-breakpoint
CREATE INDEX "events_unrouted_idx" ON "events" USING btree ("next_routing_at") WHERE "events"."routed_at" is null and not "events"."audience_only";--> statement-breakpoint
CREATE INDEX "events_unrouted_customer_idx" ON "events" USING btree ("customer_id","seq") WHERE "events"."routed_at" is null and not "events"."audience_only";