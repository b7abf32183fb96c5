CREATE TYPE "public"."accession_state" AS ENUM('opened', 'council_decided', 'declared', 'submitted', 'admitted', 'withdrawn');--> statement-breakpoint
CREATE TYPE "public"."membership_criterion" AS ENUM('contact_person', 'cross_cutting_task', 'declaration_signing', 'ehrenamtskarte', 'collaboration');--> statement-breakpoint
CREATE TYPE "public"."member_kind" AS ENUM('kreisfreie_stadt', 'kreisangehoerige_gemeinde', 'kreis', 'bezirksregierung');--> statement-breakpoint
CREATE TYPE "public"."member_status" AS ENUM('interested', 'applying', 'member', 'left');--> statement-breakpoint
CREATE TABLE "accessions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "accessions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"member_key" text NOT NULL,
	"state" "accession_state" DEFAULT 'opened' NOT NULL,
	"opened_by_user_id" integer,
	"council_committee" text,
	"council_date" date,
	"council_agenda_item" text,
	"council_reference" text,
	"council_result" text,
	"council_public" boolean,
	"council_file_id" integer,
	"oparl_url" text,
	"oparl_data" jsonb,
	"oparl_fetched_at" timestamp with time zone,
	"declaration_date" date,
	"declaration_signatory_name" text,
	"declaration_signatory_office" text,
	"submitted_at" timestamp with time zone,
	"review_note" text,
	"admitted_at" timestamp with time zone,
	"signing_round_id" integer,
	"withdrawn_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bodies" (
	"key" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"rb_ags" text NOT NULL,
	"seat" text
);
--> statement-breakpoint
CREATE TABLE "declaration_versions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "declaration_versions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"title" text NOT NULL,
	"place_line" text,
	"valid_from" date NOT NULL,
	"body_markdown" text NOT NULL,
	"state_signatory_name" text,
	"state_signatory_office" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "member_contacts" (
	"member_key" text NOT NULL,
	"user_id" integer NOT NULL,
	"primary" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "member_contacts_member_key_user_id_pk" PRIMARY KEY("member_key","user_id")
);
--> statement-breakpoint
CREATE TABLE "member_criteria" (
	"member_key" text NOT NULL,
	"criterion" "membership_criterion" NOT NULL,
	"value" text NOT NULL,
	"instrument" text,
	"evidence_text" text,
	"evidence_file_id" integer,
	"confirmed_by_user_id" integer,
	"confirmed_by_label" text NOT NULL,
	"confirmed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "member_criteria_member_key_criterion_pk" PRIMARY KEY("member_key","criterion")
);
--> statement-breakpoint
CREATE TABLE "member_files" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "member_files_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"member_key" text NOT NULL,
	"purpose" text NOT NULL,
	"file_name" text NOT NULL,
	"content_type" text NOT NULL,
	"size" bigint NOT NULL,
	"storage_path" text NOT NULL,
	"sha256" text NOT NULL,
	"uploaded_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "member_profiles" (
	"member_key" text PRIMARY KEY NOT NULL,
	"description" text,
	"website" text,
	"logo_file_id" integer,
	"structures" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"visibility" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "member_status_changes" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "member_status_changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"member_key" text NOT NULL,
	"from_status" "member_status",
	"to_status" "member_status" NOT NULL,
	"on" date NOT NULL,
	"note" text,
	"actor_label" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "member_topics" (
	"member_key" text NOT NULL,
	"topic_id" integer NOT NULL,
	CONSTRAINT "member_topics_member_key_topic_id_pk" PRIMARY KEY("member_key","topic_id")
);
--> statement-breakpoint
CREATE TABLE "members" (
	"key" text PRIMARY KEY NOT NULL,
	"area_ags" text,
	"body_key" text,
	"kind" "member_kind" NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"rb_ags" text NOT NULL,
	"kreis_ags" text,
	"status" "member_status" DEFAULT 'interested' NOT NULL,
	"interested_on" date,
	"applying_on" date,
	"joined_on" date,
	"left_on" date,
	"signing_round_id" integer,
	"partner" boolean DEFAULT false NOT NULL,
	"signatory_name" text,
	"signatory_office" text,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "members_subject_check" CHECK (("members"."area_ags" is null) <> ("members"."body_key" is null))
);
--> statement-breakpoint
CREATE TABLE "signing_round_signatories" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "signing_round_signatories_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"round_id" integer NOT NULL,
	"role" text NOT NULL,
	"member_key" text,
	"organisation" text NOT NULL,
	"name" text,
	"office" text,
	"sort" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signing_rounds" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "signing_rounds_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"number" integer NOT NULL,
	"date" date NOT NULL,
	"date_approximate" boolean DEFAULT false NOT NULL,
	"place" text,
	"declaration_version_id" integer,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "topics" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "topics_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "accessions" ADD CONSTRAINT "accessions_member_key_members_key_fk" FOREIGN KEY ("member_key") REFERENCES "public"."members"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "accessions" ADD CONSTRAINT "accessions_opened_by_user_id_users_id_fk" FOREIGN KEY ("opened_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "accessions" ADD CONSTRAINT "accessions_council_file_id_member_files_id_fk" FOREIGN KEY ("council_file_id") REFERENCES "public"."member_files"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "accessions" ADD CONSTRAINT "accessions_signing_round_id_signing_rounds_id_fk" FOREIGN KEY ("signing_round_id") REFERENCES "public"."signing_rounds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_contacts" ADD CONSTRAINT "member_contacts_member_key_members_key_fk" FOREIGN KEY ("member_key") REFERENCES "public"."members"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_contacts" ADD CONSTRAINT "member_contacts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_criteria" ADD CONSTRAINT "member_criteria_member_key_members_key_fk" FOREIGN KEY ("member_key") REFERENCES "public"."members"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_criteria" ADD CONSTRAINT "member_criteria_evidence_file_id_member_files_id_fk" FOREIGN KEY ("evidence_file_id") REFERENCES "public"."member_files"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_criteria" ADD CONSTRAINT "member_criteria_confirmed_by_user_id_users_id_fk" FOREIGN KEY ("confirmed_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_files" ADD CONSTRAINT "member_files_member_key_members_key_fk" FOREIGN KEY ("member_key") REFERENCES "public"."members"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_files" ADD CONSTRAINT "member_files_uploaded_by_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_profiles" ADD CONSTRAINT "member_profiles_member_key_members_key_fk" FOREIGN KEY ("member_key") REFERENCES "public"."members"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_profiles" ADD CONSTRAINT "member_profiles_logo_file_id_member_files_id_fk" FOREIGN KEY ("logo_file_id") REFERENCES "public"."member_files"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_status_changes" ADD CONSTRAINT "member_status_changes_member_key_members_key_fk" FOREIGN KEY ("member_key") REFERENCES "public"."members"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_topics" ADD CONSTRAINT "member_topics_member_key_members_key_fk" FOREIGN KEY ("member_key") REFERENCES "public"."members"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_topics" ADD CONSTRAINT "member_topics_topic_id_topics_id_fk" FOREIGN KEY ("topic_id") REFERENCES "public"."topics"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_area_ags_areas_ags_fk" FOREIGN KEY ("area_ags") REFERENCES "public"."areas"("ags") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_body_key_bodies_key_fk" FOREIGN KEY ("body_key") REFERENCES "public"."bodies"("key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_signing_round_id_signing_rounds_id_fk" FOREIGN KEY ("signing_round_id") REFERENCES "public"."signing_rounds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signing_round_signatories" ADD CONSTRAINT "signing_round_signatories_round_id_signing_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."signing_rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signing_round_signatories" ADD CONSTRAINT "signing_round_signatories_member_key_members_key_fk" FOREIGN KEY ("member_key") REFERENCES "public"."members"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signing_rounds" ADD CONSTRAINT "signing_rounds_declaration_version_id_declaration_versions_id_fk" FOREIGN KEY ("declaration_version_id") REFERENCES "public"."declaration_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "accessions_member_idx" ON "accessions" USING btree ("member_key");--> statement-breakpoint
CREATE UNIQUE INDEX "accessions_open_idx" ON "accessions" USING btree ("member_key") WHERE "accessions"."state" not in ('admitted', 'withdrawn');--> statement-breakpoint
CREATE UNIQUE INDEX "member_contacts_primary_idx" ON "member_contacts" USING btree ("member_key") WHERE "member_contacts"."primary";--> statement-breakpoint
CREATE INDEX "member_contacts_user_idx" ON "member_contacts" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "member_files_member_idx" ON "member_files" USING btree ("member_key");--> statement-breakpoint
CREATE INDEX "member_status_changes_member_idx" ON "member_status_changes" USING btree ("member_key","id");--> statement-breakpoint
CREATE INDEX "member_topics_topic_idx" ON "member_topics" USING btree ("topic_id");--> statement-breakpoint
CREATE INDEX "members_status_idx" ON "members" USING btree ("status");--> statement-breakpoint
CREATE INDEX "members_rb_idx" ON "members" USING btree ("rb_ags");--> statement-breakpoint
CREATE INDEX "members_kreis_idx" ON "members" USING btree ("kreis_ags");--> statement-breakpoint
CREATE INDEX "members_round_idx" ON "members" USING btree ("signing_round_id");--> statement-breakpoint
CREATE INDEX "signing_round_signatories_round_idx" ON "signing_round_signatories" USING btree ("round_id");--> statement-breakpoint
CREATE UNIQUE INDEX "signing_round_signatories_member_idx" ON "signing_round_signatories" USING btree ("round_id","member_key");--> statement-breakpoint
CREATE UNIQUE INDEX "signing_rounds_number_idx" ON "signing_rounds" USING btree ("number");--> statement-breakpoint
CREATE UNIQUE INDEX "topics_slug_idx" ON "topics" USING btree ("slug");