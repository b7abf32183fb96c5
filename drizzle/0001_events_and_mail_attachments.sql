CREATE TYPE "public"."event_audience" AS ENUM('members', 'members_partners', 'public');--> statement-breakpoint
CREATE TYPE "public"."event_format" AS ENUM('onsite', 'online', 'hybrid');--> statement-breakpoint
CREATE TYPE "public"."event_kind" AS ENUM('network_meeting', 'workshop', 'congress', 'summit', 'conference', 'ews_workshop');--> statement-breakpoint
CREATE TYPE "public"."event_status" AS ENUM('published', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."registration_status" AS ENUM('confirmed', 'waitlisted', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."session_kind" AS ENUM('keynote', 'podium', 'plenary', 'workshop', 'carousel', 'break', 'other');--> statement-breakpoint
CREATE TABLE "carousel_assignments" (
	"registration_id" integer NOT NULL,
	"round_id" integer NOT NULL,
	"station_id" integer NOT NULL,
	"chosen" boolean DEFAULT false NOT NULL,
	CONSTRAINT "carousel_assignments_registration_id_round_id_pk" PRIMARY KEY("registration_id","round_id")
);
--> statement-breakpoint
CREATE TABLE "carousel_rounds" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "carousel_rounds_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"session_id" integer NOT NULL,
	"number" smallint NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "carousel_stations" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "carousel_stations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"session_id" integer NOT NULL,
	"title" text NOT NULL,
	"area_ags" text,
	"presenter" text,
	"description" text,
	"capacity" integer
);
--> statement-breakpoint
CREATE TABLE "event_feedback" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "event_feedback_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"event_id" integer NOT NULL,
	"registration_id" integer NOT NULL,
	"rating" smallint NOT NULL,
	"text" text,
	"quote_consent" boolean DEFAULT false NOT NULL,
	"published_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "event_feedback_registration_id_unique" UNIQUE("registration_id")
);
--> statement-breakpoint
CREATE TABLE "event_files" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "event_files_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"event_id" integer NOT NULL,
	"title" text NOT NULL,
	"file_name" text NOT NULL,
	"mime_type" text NOT NULL,
	"size" integer NOT NULL,
	"storage_path" text NOT NULL,
	"documentation" boolean DEFAULT false NOT NULL,
	"consent_confirmed" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "event_sessions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "event_sessions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"event_id" integer NOT NULL,
	"kind" "session_kind" NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"room" text,
	"speakers" text,
	"capacity" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"kind" "event_kind" NOT NULL,
	"title" text NOT NULL,
	"summary" text,
	"description" text,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"format" "event_format" DEFAULT 'onsite' NOT NULL,
	"venue" text,
	"address" text,
	"room" text,
	"video_url" text,
	"audience" "event_audience" DEFAULT 'members_partners' NOT NULL,
	"status" "event_status" DEFAULT 'published' NOT NULL,
	"capacity" integer,
	"per_area_limit" integer,
	"registration_opens_at" timestamp with time zone,
	"registration_closes_at" timestamp with time zone,
	"ask_fields" text[] DEFAULT '{}'::text[] NOT NULL,
	"contact_name" text,
	"contact_email" text,
	"contact_phone" text,
	"reminder_days" smallint DEFAULT 3,
	"documentation" text,
	"documentation_published_at" timestamp with time zone,
	"feedback_open" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "event_registration_sessions" (
	"id" bigserial NOT NULL,
	"registration_id" integer NOT NULL,
	"session_id" integer NOT NULL,
	"status" "registration_status" NOT NULL,
	CONSTRAINT "event_registration_sessions_registration_id_session_id_pk" PRIMARY KEY("registration_id","session_id"),
	CONSTRAINT "event_registration_sessions_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE TABLE "event_registrations" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "event_registrations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"event_id" integer NOT NULL,
	"user_id" integer,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"organisation" text,
	"area_ags" text,
	"position" text,
	"accessibility_needs" text,
	"dietary_needs" text,
	"photo_consent" boolean DEFAULT false NOT NULL,
	"list_consent" boolean DEFAULT false NOT NULL,
	"status" "registration_status" NOT NULL,
	"cancel_token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"promoted_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"checked_in_at" timestamp with time zone,
	"reminded_at" timestamp with time zone,
	CONSTRAINT "event_registrations_cancel_token_hash_unique" UNIQUE("cancel_token_hash")
);
--> statement-breakpoint
ALTER TABLE "outbox_mails" ADD COLUMN "attachments" jsonb;--> statement-breakpoint
ALTER TABLE "carousel_assignments" ADD CONSTRAINT "carousel_assignments_registration_id_event_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."event_registrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "carousel_assignments" ADD CONSTRAINT "carousel_assignments_round_id_carousel_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."carousel_rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "carousel_assignments" ADD CONSTRAINT "carousel_assignments_station_id_carousel_stations_id_fk" FOREIGN KEY ("station_id") REFERENCES "public"."carousel_stations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "carousel_rounds" ADD CONSTRAINT "carousel_rounds_session_id_event_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."event_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "carousel_stations" ADD CONSTRAINT "carousel_stations_session_id_event_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."event_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_feedback" ADD CONSTRAINT "event_feedback_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_feedback" ADD CONSTRAINT "event_feedback_registration_id_event_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."event_registrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_files" ADD CONSTRAINT "event_files_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_sessions" ADD CONSTRAINT "event_sessions_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_registration_sessions" ADD CONSTRAINT "event_registration_sessions_registration_id_event_registrations_id_fk" FOREIGN KEY ("registration_id") REFERENCES "public"."event_registrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_registration_sessions" ADD CONSTRAINT "event_registration_sessions_session_id_event_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."event_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_registrations" ADD CONSTRAINT "event_registrations_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_registrations" ADD CONSTRAINT "event_registrations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "carousel_assignments_station_once_idx" ON "carousel_assignments" USING btree ("registration_id","station_id");--> statement-breakpoint
CREATE INDEX "carousel_assignments_round_station_idx" ON "carousel_assignments" USING btree ("round_id","station_id");--> statement-breakpoint
CREATE UNIQUE INDEX "carousel_rounds_number_idx" ON "carousel_rounds" USING btree ("session_id","number");--> statement-breakpoint
CREATE INDEX "carousel_stations_session_idx" ON "carousel_stations" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "event_feedback_event_idx" ON "event_feedback" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "event_files_event_idx" ON "event_files" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "event_sessions_event_idx" ON "event_sessions" USING btree ("event_id","starts_at");--> statement-breakpoint
CREATE INDEX "events_starts_idx" ON "events" USING btree ("starts_at");--> statement-breakpoint
CREATE INDEX "events_kind_idx" ON "events" USING btree ("kind");--> statement-breakpoint
CREATE INDEX "event_registration_sessions_session_idx" ON "event_registration_sessions" USING btree ("session_id","status","id");--> statement-breakpoint
CREATE INDEX "event_registrations_event_idx" ON "event_registrations" USING btree ("event_id","status","id");--> statement-breakpoint
CREATE INDEX "event_registrations_user_idx" ON "event_registrations" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "event_registrations_email_idx" ON "event_registrations" USING btree (lower("email"));--> statement-breakpoint
CREATE UNIQUE INDEX "event_registrations_active_email_idx" ON "event_registrations" USING btree ("event_id",lower("email")) WHERE status <> 'cancelled';