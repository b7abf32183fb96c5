CREATE TYPE "public"."mail_bounce_kind" AS ENUM('hard', 'soft');--> statement-breakpoint
CREATE TYPE "public"."infomail_status" AS ENUM('draft', 'scheduled', 'sending', 'sent', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."infomail_recipient_status" AS ENUM('pending', 'sending', 'sent', 'failed', 'cancelled', 'skipped');--> statement-breakpoint
CREATE TYPE "public"."infomail_subscriber_status" AS ENUM('pending', 'confirmed', 'unsubscribed');--> statement-breakpoint
CREATE TABLE "infomail_consents" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "infomail_consents_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"subscriber_id" integer NOT NULL,
	"email" text NOT NULL,
	"source" text NOT NULL,
	"consent_version" text NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"request_ip" text,
	"request_user_agent" text,
	"confirm_token_hash" text,
	"confirm_expires_at" timestamp with time zone,
	"confirmed_at" timestamp with time zone,
	"confirm_ip" text,
	"withdrawn_at" timestamp with time zone,
	"withdraw_ip" text,
	"withdraw_method" text
);
--> statement-breakpoint
CREATE TABLE "infomail_recipients" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"infomail_id" integer NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"audience" text NOT NULL,
	"status" "infomail_recipient_status" DEFAULT 'pending' NOT NULL,
	"message_id" text NOT NULL,
	"unsubscribe_token" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_owner" bigint,
	"claimed_at" timestamp with time zone,
	"resumed" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "infomail_subscribers" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "infomail_subscribers_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"email" text NOT NULL,
	"name" text,
	"status" "infomail_subscriber_status" DEFAULT 'pending' NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"confirmed_at" timestamp with time zone,
	"unsubscribed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "infomails" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "infomails_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"subject" text NOT NULL,
	"intro" text DEFAULT '' NOT NULL,
	"sections" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"audiences" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" "infomail_status" DEFAULT 'draft' NOT NULL,
	"rate_per_second" integer DEFAULT 100 NOT NULL,
	"scheduled_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"recipient_count" integer,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mail_bounces" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "mail_bounces_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"email" text NOT NULL,
	"kind" "mail_bounce_kind" NOT NULL,
	"reason" text,
	"message_id" text,
	"infomail_id" integer,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cleared_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "infomail_consents" ADD CONSTRAINT "infomail_consents_subscriber_id_infomail_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."infomail_subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "infomail_recipients" ADD CONSTRAINT "infomail_recipients_infomail_id_infomails_id_fk" FOREIGN KEY ("infomail_id") REFERENCES "public"."infomails"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "infomails" ADD CONSTRAINT "infomails_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mail_bounces" ADD CONSTRAINT "mail_bounces_infomail_id_infomails_id_fk" FOREIGN KEY ("infomail_id") REFERENCES "public"."infomails"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "infomail_consents_subscriber_idx" ON "infomail_consents" USING btree ("subscriber_id");--> statement-breakpoint
CREATE UNIQUE INDEX "infomail_consents_token_idx" ON "infomail_consents" USING btree ("confirm_token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "infomail_recipients_address_idx" ON "infomail_recipients" USING btree ("infomail_id","email");--> statement-breakpoint
CREATE INDEX "infomail_recipients_due_idx" ON "infomail_recipients" USING btree ("infomail_id","status","next_attempt_at");--> statement-breakpoint
CREATE UNIQUE INDEX "infomail_recipients_token_idx" ON "infomail_recipients" USING btree ("unsubscribe_token");--> statement-breakpoint
CREATE INDEX "infomail_recipients_message_idx" ON "infomail_recipients" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "infomail_recipients_email_idx" ON "infomail_recipients" USING btree ("email");--> statement-breakpoint
CREATE UNIQUE INDEX "infomail_subscribers_email_idx" ON "infomail_subscribers" USING btree ("email");--> statement-breakpoint
CREATE UNIQUE INDEX "infomail_subscribers_token_idx" ON "infomail_subscribers" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "infomail_subscribers_status_idx" ON "infomail_subscribers" USING btree ("status");--> statement-breakpoint
CREATE INDEX "infomails_status_idx" ON "infomails" USING btree ("status","finished_at");--> statement-breakpoint
CREATE INDEX "mail_bounces_email_idx" ON "mail_bounces" USING btree ("email","kind");--> statement-breakpoint
CREATE INDEX "mail_bounces_recorded_idx" ON "mail_bounces" USING btree ("recorded_at");