/**
 * Members of the network and how they join: the member registry (areas and bodies such as the
 * Bezirksregierungen), status history, contacts, profiles with per-field visibility, the
 * managed topic list, the five membership criteria with evidence, the accession workflow,
 * the joint declaration's versions and the signing rounds with their signatories.
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, date, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema';
import { areas } from '../areas/schema';

/**
 * Public bodies that are not official areas but may be members: the five Bezirksregierungen
 * (state mid-level authorities), each linked to its Regierungsbezirk. Reference data,
 * inserted by the migration.
 */
export const bodies = pgTable('bodies', {
	/** `BR-` + AGS of the Regierungsbezirk, e.g. `BR-059` for the Bezirksregierung Arnsberg. */
	key: text('key').primaryKey(),
	kind: text('kind').notNull(),
	name: text('name').notNull(),
	/**
	 * The Regierungsbezirk the body serves (areas.ags, 3 digits). No foreign key: the bodies are
	 * inserted by the migration, before the areas are loaded.
	 */
	rbAgs: text('rb_ags').notNull(),
	/** Seat of the authority, for display. */
	seat: text('seat')
});

/** kreisfreie Stadt, kreisangehörige Stadt or Gemeinde, Kreis (incl. Städteregion), Bezirksregierung. */
export const memberKind = pgEnum('member_kind', ['kreisfreie_stadt', 'kreisangehoerige_gemeinde', 'kreis', 'bezirksregierung']);
/** interested → applying → member → left. */
export const memberStatus = pgEnum('member_status', ['interested', 'applying', 'member', 'left']);

/** The declaration text "Zukunftsfaktor Bürgerengagement" in its versions. */
export const declarationVersions = pgTable('declaration_versions', {
	id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
	title: text('title').notNull(),
	/** Place and date line, e.g. "Düsseldorf, im Mai 2024". */
	placeLine: text('place_line'),
	validFrom: date('valid_from').notNull(),
	/** The text as markdown. */
	bodyMarkdown: text('body_markdown').notNull(),
	/** Name and office of the state's representative who signs this version. */
	stateSignatoryName: text('state_signatory_name'),
	stateSignatoryOffice: text('state_signatory_office'),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
});

/** A signing round (Unterzeichnung) of the joint declaration. */
export const signingRounds = pgTable(
	'signing_rounds',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		/** 1, 2, 3 … */
		number: integer('number').notNull(),
		date: date('date').notNull(),
		/** The exact day is not documented; `date` is a plausible day in the known month or year. */
		dateApproximate: boolean('date_approximate').notNull().default(false),
		place: text('place'),
		declarationVersionId: integer('declaration_version_id').references(() => declarationVersions.id),
		note: text('note'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [uniqueIndex('signing_rounds_number_idx').on(t.number)]
);

/**
 * A member: an official area (Gemeinde, Kreis, Städteregion) or a body. `key` is the area's AGS
 * or the body's key; it is what URLs and the API use.
 */
export const members = pgTable(
	'members',
	{
		key: text('key').primaryKey(),
		areaAgs: text('area_ags').references(() => areas.ags),
		bodyKey: text('body_key').references(() => bodies.key),
		kind: memberKind('kind').notNull(),
		/** Display name ("Bielefeld", "Kreis Lippe", "Bezirksregierung Arnsberg"), copied for sorting and search. */
		name: text('name').notNull(),
		/** Official type ("kreisfreie Stadt", "Stadt", "Gemeinde", "Kreis", "Bezirksregierung"). */
		type: text('type').notNull(),
		/** Regierungsbezirk (AGS), for the region filter. */
		rbAgs: text('rb_ags').notNull(),
		/** Kreis (AGS) of a kreisangehörige Gemeinde. */
		kreisAgs: text('kreis_ags'),
		status: memberStatus('status').notNull().default('interested'),
		interestedOn: date('interested_on'),
		applyingOn: date('applying_on'),
		joinedOn: date('joined_on'),
		leftOn: date('left_on'),
		signingRoundId: integer('signing_round_id').references(() => signingRounds.id),
		/** One of the partner municipalities with a special role (Arnsberg, Essen, Rheine). */
		partner: boolean('partner').notNull().default(false),
		/** Who signed (or signs) the declaration for the member, e.g. "Oberbürgermeister". */
		signatoryName: text('signatory_name'),
		signatoryOffice: text('signatory_office'),
		/** Internal remark for the coordination office. */
		note: text('note'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		check('members_subject_check', sql`(${t.areaAgs} is null) <> (${t.bodyKey} is null)`),
		index('members_status_idx').on(t.status),
		index('members_rb_idx').on(t.rbAgs),
		index('members_kreis_idx').on(t.kreisAgs),
		index('members_round_idx').on(t.signingRoundId)
	]
);

/** Every change of a member's status, with the day it took effect. */
export const memberStatusChanges = pgTable(
	'member_status_changes',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		memberKey: text('member_key')
			.notNull()
			.references(() => members.key, { onDelete: 'cascade' }),
		fromStatus: memberStatus('from_status'),
		toStatus: memberStatus('to_status').notNull(),
		on: date('on').notNull(),
		note: text('note'),
		actorLabel: text('actor_label').notNull(),
		at: timestamp('at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('member_status_changes_member_idx').on(t.memberKey, t.id)]
);

/** Contact persons: accounts with role member_contact bound to the member; one is primary. */
export const memberContacts = pgTable(
	'member_contacts',
	{
		memberKey: text('member_key')
			.notNull()
			.references(() => members.key, { onDelete: 'cascade' }),
		userId: integer('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		primary: boolean('primary').notNull().default(false),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		primaryKey({ columns: [t.memberKey, t.userId] }),
		uniqueIndex('member_contacts_primary_idx')
			.on(t.memberKey)
			.where(sql`${t.primary}`),
		index('member_contacts_user_idx').on(t.userId)
	]
);

/** Uploaded files (evidence, Beschlussvorlage, logo), stored under DATA_DIR/uploads. */
export const memberFiles = pgTable(
	'member_files',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		memberKey: text('member_key')
			.notNull()
			.references(() => members.key, { onDelete: 'cascade' }),
		/** evidence, council_document or logo. */
		purpose: text('purpose').notNull(),
		fileName: text('file_name').notNull(),
		contentType: text('content_type').notNull(),
		size: bigint('size', { mode: 'number' }).notNull(),
		/** Path below DATA_DIR/uploads. */
		storagePath: text('storage_path').notNull(),
		sha256: text('sha256').notNull(),
		uploadedBy: integer('uploaded_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('member_files_member_idx').on(t.memberKey)]
);

/**
 * The managed list of topics (Themen), e.g. "Ehrenamtskarte", "Digitalisierung". Shared with
 * the knowledge base.
 */
export const topics = pgTable(
	'topics',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		slug: text('slug').notNull(),
		name: text('name').notNull(),
		description: text('description'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [uniqueIndex('topics_slug_idx').on(t.slug)]
);

/** Public profile of a member; `visibility` says per field whether it is public or for network members only. */
export const memberProfiles = pgTable('member_profiles', {
	memberKey: text('member_key')
		.primaryKey()
		.references(() => members.key, { onDelete: 'cascade' }),
	description: text('description'),
	website: text('website'),
	logoFileId: integer('logo_file_id').references(() => memberFiles.id, { onDelete: 'set null' }),
	/** `[{kind, label, since}]`: Stabsstelle, Runder Tisch, Freiwilligenagentur, Ehrenamtskarte … */
	structures: jsonb('structures').notNull().default([]),
	/** `{field: 'public' | 'members'}` for description, website, logo, structures, topics, contacts. */
	visibility: jsonb('visibility').notNull().default({}),
	updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
});

export const memberTopics = pgTable(
	'member_topics',
	{
		memberKey: text('member_key')
			.notNull()
			.references(() => members.key, { onDelete: 'cascade' }),
		topicId: integer('topic_id')
			.notNull()
			.references(() => topics.id, { onDelete: 'cascade' })
	},
	(t) => [primaryKey({ columns: [t.memberKey, t.topicId] }), index('member_topics_topic_idx').on(t.topicId)]
);

/** The five criteria of membership. */
export const criterion = pgEnum('membership_criterion', ['contact_person', 'cross_cutting_task', 'declaration_signing', 'ehrenamtskarte', 'collaboration']);

/** One criterion of one member: whether it is met, the evidence, and who confirmed it when. */
export const memberCriteria = pgTable(
	'member_criteria',
	{
		memberKey: text('member_key')
			.notNull()
			.references(() => members.key, { onDelete: 'cascade' }),
		criterion: criterion('criterion').notNull(),
		/** `yes`/`no`; for ehrenamtskarte `participates`, `planned`, `comparable` or `none`. */
		value: text('value').notNull(),
		/** The comparable recognition instrument (ehrenamtskarte = comparable). */
		instrument: text('instrument'),
		evidenceText: text('evidence_text'),
		evidenceFileId: integer('evidence_file_id').references(() => memberFiles.id, { onDelete: 'set null' }),
		confirmedByUserId: integer('confirmed_by_user_id').references(() => users.id, { onDelete: 'set null' }),
		confirmedByLabel: text('confirmed_by_label').notNull(),
		confirmedAt: timestamp('confirmed_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [primaryKey({ columns: [t.memberKey, t.criterion] })]
);

/** opened → council_decided → declared → submitted → admitted; withdrawn ends an application early. */
export const accessionState = pgEnum('accession_state', ['opened', 'council_decided', 'declared', 'submitted', 'admitted', 'withdrawn']);

/** An application to join (Beitritt). */
export const accessions = pgTable(
	'accessions',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		memberKey: text('member_key')
			.notNull()
			.references(() => members.key, { onDelete: 'cascade' }),
		state: accessionState('state').notNull().default('opened'),
		openedByUserId: integer('opened_by_user_id').references(() => users.id, { onDelete: 'set null' }),
		/** Council decision (Ratsbeschluss). */
		councilCommittee: text('council_committee'),
		councilDate: date('council_date'),
		councilAgendaItem: text('council_agenda_item'),
		/** File number of the draft resolution (Drucksachen-Nr.). */
		councilReference: text('council_reference'),
		/** adopted, rejected or postponed. */
		councilResult: text('council_result'),
		councilPublic: boolean('council_public'),
		councilFileId: integer('council_file_id').references(() => memberFiles.id, { onDelete: 'set null' }),
		oparlUrl: text('oparl_url'),
		/** What the OParl object said: `{type, reference, date, result, name, files: [{name, url}]}`. */
		oparlData: jsonb('oparl_data'),
		oparlFetchedAt: timestamp('oparl_fetched_at', { withTimezone: true }),
		/** Declaration of accession to the state. */
		declarationDate: date('declaration_date'),
		declarationSignatoryName: text('declaration_signatory_name'),
		declarationSignatoryOffice: text('declaration_signatory_office'),
		submittedAt: timestamp('submitted_at', { withTimezone: true }),
		/** Note of the coordination office when it returned the application. */
		reviewNote: text('review_note'),
		admittedAt: timestamp('admitted_at', { withTimezone: true }),
		signingRoundId: integer('signing_round_id').references(() => signingRounds.id),
		withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [
		index('accessions_member_idx').on(t.memberKey),
		// At most one open application per member.
		uniqueIndex('accessions_open_idx')
			.on(t.memberKey)
			.where(sql`${t.state} not in ('admitted', 'withdrawn')`)
	]
);

/** Who signed in a round: the state, the umbrella associations, and each member. */
export const signingRoundSignatories = pgTable(
	'signing_round_signatories',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		roundId: integer('round_id')
			.notNull()
			.references(() => signingRounds.id, { onDelete: 'cascade' }),
		/** state, umbrella or member. */
		role: text('role').notNull(),
		memberKey: text('member_key').references(() => members.key, { onDelete: 'cascade' }),
		/** The organisation signing, e.g. "Städtetag Nordrhein-Westfalen" or "Stadt Bielefeld". */
		organisation: text('organisation').notNull(),
		name: text('name'),
		office: text('office'),
		sort: integer('sort').notNull().default(0)
	},
	(t) => [index('signing_round_signatories_round_idx').on(t.roundId), uniqueIndex('signing_round_signatories_member_idx').on(t.roundId, t.memberKey)]
);
