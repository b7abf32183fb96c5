import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, pgEnum, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema';

/** network_meeting: Netzwerktreffen; congress: Engagementkongress; summit: Kommunales Spitzentreffen; conference: Fachtagung; ews_workshop: Entwicklungswerkstatt-Workshop. */
export const eventKind = pgEnum('event_kind', ['network_meeting', 'workshop', 'congress', 'summit', 'conference', 'ews_workshop']);
/** onsite: address and room; online: video link (only for confirmed participants); hybrid: both. */
export const eventFormat = pgEnum('event_format', ['onsite', 'online', 'hybrid']);
/** Who may register: members (member contacts), members and partners, or everybody. */
export const eventAudience = pgEnum('event_audience', ['members', 'members_partners', 'public']);
export const eventStatus = pgEnum('event_status', ['published', 'cancelled']);
/** workshop sessions are chosen at registration (one per time slot); carousel is a Lernkarussell. */
export const sessionKind = pgEnum('session_kind', ['keynote', 'podium', 'plenary', 'workshop', 'carousel', 'break', 'other']);
export const registrationStatus = pgEnum('registration_status', ['confirmed', 'waitlisted', 'cancelled']);

export const events = pgTable(
	'events',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		kind: eventKind('kind').notNull(),
		title: text('title').notNull(),
		/** One or two sentences for lists and the calendar. */
		summary: text('summary'),
		/** Markdown. */
		description: text('description'),
		startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
		endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
		format: eventFormat('format').notNull().default('onsite'),
		venue: text('venue'),
		address: text('address'),
		room: text('room'),
		/** Shown only to confirmed participants and coordinators. */
		videoUrl: text('video_url'),
		audience: eventAudience('audience').notNull().default('members_partners'),
		status: eventStatus('status').notNull().default('published'),
		/** Places in all; null: no limit. */
		capacity: integer('capacity'),
		/** Confirmed places per member municipality (area AGS); null: no limit. */
		perAreaLimit: integer('per_area_limit'),
		registrationOpensAt: timestamp('registration_opens_at', { withTimezone: true }),
		registrationClosesAt: timestamp('registration_closes_at', { withTimezone: true }),
		/** Optional registration fields this event asks for (see REGISTRATION_FIELDS). */
		askFields: text('ask_fields').array().notNull().default(sql`'{}'::text[]`),
		contactName: text('contact_name'),
		contactEmail: text('contact_email'),
		contactPhone: text('contact_phone'),
		/** Days before the start when the reminder goes out; null: none. */
		reminderDays: smallint('reminder_days').default(3),
		/** Protocol and results after the event (markdown). */
		documentation: text('documentation'),
		documentationPublishedAt: timestamp('documentation_published_at', { withTimezone: true }),
		feedbackOpen: boolean('feedback_open').notNull().default(false),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('events_starts_idx').on(t.startsAt), index('events_kind_idx').on(t.kind)]
);

/** The programme: keynotes, podiums, parallel workshops, Lernkarussell … */
export const eventSessions = pgTable(
	'event_sessions',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		eventId: integer('event_id')
			.notNull()
			.references(() => events.id, { onDelete: 'cascade' }),
		kind: sessionKind('kind').notNull(),
		title: text('title').notNull(),
		description: text('description'),
		startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
		endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
		room: text('room'),
		/** Speakers or dialogue partners, free text. */
		speakers: text('speakers'),
		/** Places in this session; null: no own limit. */
		capacity: integer('capacity'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('event_sessions_event_idx').on(t.eventId, t.startsAt)]
);

/** A station of a Lernkarussell: a member presents a practice example. */
export const carouselStations = pgTable(
	'carousel_stations',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		sessionId: integer('session_id')
			.notNull()
			.references(() => eventSessions.id, { onDelete: 'cascade' }),
		title: text('title').notNull(),
		/** The presenting member municipality (area AGS). */
		areaAgs: text('area_ags'),
		presenter: text('presenter'),
		description: text('description'),
		/** Places per round; null: no limit. */
		capacity: integer('capacity')
	},
	(t) => [index('carousel_stations_session_idx').on(t.sessionId)]
);

/** A rotation round of a Lernkarussell. */
export const carouselRounds = pgTable(
	'carousel_rounds',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		sessionId: integer('session_id')
			.notNull()
			.references(() => eventSessions.id, { onDelete: 'cascade' }),
		number: smallint('number').notNull(),
		startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
		endsAt: timestamp('ends_at', { withTimezone: true }).notNull()
	},
	(t) => [uniqueIndex('carousel_rounds_number_idx').on(t.sessionId, t.number)]
);

export const registrations = pgTable(
	'event_registrations',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		eventId: integer('event_id')
			.notNull()
			.references(() => events.id, { onDelete: 'cascade' }),
		/** The account that registered, when logged in. */
		userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
		name: text('name').notNull(),
		email: text('email').notNull(),
		organisation: text('organisation'),
		/** Member municipality (area AGS), for the per-municipality limit. */
		areaAgs: text('area_ags'),
		/** Function or office. */
		position: text('position'),
		accessibilityNeeds: text('accessibility_needs'),
		dietaryNeeds: text('dietary_needs'),
		photoConsent: boolean('photo_consent').notNull().default(false),
		/** May appear on the participant list shown to other participants. */
		listConsent: boolean('list_consent').notNull().default(false),
		status: registrationStatus('status').notNull(),
		/** SHA-256 of the secret in the confirmation mail's link (cancel, schedule, feedback). */
		cancelTokenHash: text('cancel_token_hash').notNull().unique(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		promotedAt: timestamp('promoted_at', { withTimezone: true }),
		cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
		checkedInAt: timestamp('checked_in_at', { withTimezone: true }),
		remindedAt: timestamp('reminded_at', { withTimezone: true })
	},
	(t) => [
		index('event_registrations_event_idx').on(t.eventId, t.status, t.id),
		index('event_registrations_user_idx').on(t.userId),
		index('event_registrations_email_idx').on(sql`lower(${t.email})`),
		// One active registration per address and event; cancelled ones may be repeated.
		uniqueIndex('event_registrations_active_email_idx')
			.on(t.eventId, sql`lower(${t.email})`)
			.where(sql`status <> 'cancelled'`)
	]
);

/** The sessions a registration chose, each with its own place or waitlist position. */
export const registrationSessions = pgTable(
	'event_registration_sessions',
	{
		/** Arrival order on the session's waitlist. */
		id: bigserial('id', { mode: 'number' }).notNull().unique(),
		registrationId: integer('registration_id')
			.notNull()
			.references(() => registrations.id, { onDelete: 'cascade' }),
		sessionId: integer('session_id')
			.notNull()
			.references(() => eventSessions.id, { onDelete: 'cascade' }),
		status: registrationStatus('status').notNull()
	},
	(t) => [primaryKey({ columns: [t.registrationId, t.sessionId] }), index('event_registration_sessions_session_idx').on(t.sessionId, t.status, t.id)]
);

/** Which station a participant visits in which round of a Lernkarussell. */
export const carouselAssignments = pgTable(
	'carousel_assignments',
	{
		registrationId: integer('registration_id')
			.notNull()
			.references(() => registrations.id, { onDelete: 'cascade' }),
		roundId: integer('round_id')
			.notNull()
			.references(() => carouselRounds.id, { onDelete: 'cascade' }),
		stationId: integer('station_id')
			.notNull()
			.references(() => carouselStations.id, { onDelete: 'cascade' }),
		/** Chosen by the participant (else assigned automatically). */
		chosen: boolean('chosen').notNull().default(false)
	},
	(t) => [
		primaryKey({ columns: [t.registrationId, t.roundId] }),
		uniqueIndex('carousel_assignments_station_once_idx').on(t.registrationId, t.stationId),
		index('carousel_assignments_round_station_idx').on(t.roundId, t.stationId)
	]
);

/** Documents before the event and documentation files after it; stored under dataDir/uploads. */
export const eventFiles = pgTable(
	'event_files',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		eventId: integer('event_id')
			.notNull()
			.references(() => events.id, { onDelete: 'cascade' }),
		title: text('title').notNull(),
		fileName: text('file_name').notNull(),
		mimeType: text('mime_type').notNull(),
		size: integer('size').notNull(),
		/** Relative to dataDir/uploads. */
		storagePath: text('storage_path').notNull(),
		/** Part of the documentation after the event (else a document for participants beforehand). */
		documentation: boolean('documentation').notNull().default(false),
		/** For photos: the people shown agreed to publication. */
		consentConfirmed: boolean('consent_confirmed').notNull().default(false),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('event_files_event_idx').on(t.eventId)]
);

export const eventFeedback = pgTable(
	'event_feedback',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		eventId: integer('event_id')
			.notNull()
			.references(() => events.id, { onDelete: 'cascade' }),
		registrationId: integer('registration_id')
			.notNull()
			.unique()
			.references(() => registrations.id, { onDelete: 'cascade' }),
		/** 1 (poor) … 5 (very good). */
		rating: smallint('rating').notNull(),
		text: text('text'),
		/** The participant agrees that the text may be quoted (without name). */
		quoteConsent: boolean('quote_consent').notNull().default(false),
		/** Chosen by the coordination to appear on the event page. */
		publishedAt: timestamp('published_at', { withTimezone: true }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('event_feedback_event_idx').on(t.eventId)]
);
