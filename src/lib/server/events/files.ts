/**
 * Files of an event (documents beforehand, slides and photos afterwards), stored under
 * `config().dataDir/uploads/events/<event>/`. Only types that browsers do not run as pages are
 * accepted (no HTML, no SVG), so a file can never execute script in the platform's origin.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { cliActor, recordAudit, systemActor, type Actor } from '../audit';
import { config } from '../config';
import type { DbOrTx } from '../db';
import { DomainError, forbidden, notFound } from '../errors';
import { parseInput } from '.';
import { eventFiles, events } from './schema';

export const MAX_FILE_BYTES = 20 * 1024 * 1024;

const TYPES: Record<string, string> = {
	pdf: 'application/pdf',
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	gif: 'image/gif',
	webp: 'image/webp',
	txt: 'text/plain; charset=utf-8',
	csv: 'text/csv; charset=utf-8',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
	odt: 'application/vnd.oasis.opendocument.text',
	ods: 'application/vnd.oasis.opendocument.spreadsheet',
	odp: 'application/vnd.oasis.opendocument.presentation',
	zip: 'application/zip'
};
export const ALLOWED_EXTENSIONS = Object.keys(TYPES);

function uploadsRoot(): string {
	return path.join(config().dataDir, 'uploads', 'events');
}

export const addFileInput = z.object({
	eventId: z.number().int().positive(),
	/** Title shown in the list, e.g. "Folien Workshop 3". */
	title: z.string({ error: 'Bitte geben Sie einen Titel an.' }).trim().min(2, 'Bitte geben Sie einen Titel an.').max(200, 'Bitte höchstens 200 Zeichen.'),
	/** Original file name (its extension decides the type). */
	fileName: z.string().trim().min(1, 'Bitte wählen Sie eine Datei.').max(200, 'Der Dateiname ist zu lang.'),
	bytes: z.instanceof(Uint8Array, { message: 'Bitte wählen Sie eine Datei.' }),
	/** Part of the documentation (published with it) rather than a document for participants. */
	documentation: z.boolean().default(false),
	/** For photos: the people shown agreed to publication. */
	consentConfirmed: z.boolean().default(false)
});
export type AddFileInput = z.input<typeof addFileInput>;

function requireAdmin(actor: Actor) {
	if (actor.role === 'coordinator') return;
	if (actor.userId === undefined && !actor.ip && (actor.label === cliActor.label || actor.label === systemActor.label)) return;
	throw forbidden('Das darf nur die Koordinierungsstelle.');
}

/** Stores a file for an event (coordinators). Photos need the confirmation that the people shown agreed. */
export async function addEventFile(conn: DbOrTx, actor: Actor, input: AddFileInput) {
	requireAdmin(actor);
	const v = parseInput(addFileInput, input);
	const ext = path.extname(v.fileName).slice(1).toLowerCase();
	const type = TYPES[ext];
	if (!type) throw new DomainError('validation', `Dateien vom Typ „.${ext || '?'}“ sind nicht erlaubt.`, { file: [`Erlaubt sind: ${ALLOWED_EXTENSIONS.join(', ')}.`] });
	if (v.bytes.length === 0) throw new DomainError('validation', 'Die Datei ist leer.', { file: ['Die Datei ist leer.'] });
	if (v.bytes.length > MAX_FILE_BYTES) throw new DomainError('validation', 'Die Datei ist größer als 20 MB.', { file: ['Die Datei ist größer als 20 MB.'] });
	if (type.startsWith('image/') && !v.consentConfirmed)
		throw new DomainError('validation', 'Fotos nur mit Einwilligung der abgebildeten Personen.', { consent_confirmed: ['Bitte bestätigen Sie, dass die abgebildeten Personen einverstanden sind.'] });
	const safe = path.basename(v.fileName).replace(/[^A-Za-z0-9._-]+/g, '_').slice(-80);
	const rel = path.join(String(v.eventId), `${randomBytes(8).toString('hex')}-${safe}`);
	return conn.transaction(async (tx) => {
		const [event] = await tx.select({ id: events.id }).from(events).where(eq(events.id, v.eventId));
		if (!event) throw notFound('Diese Veranstaltung gibt es nicht.');
		const full = path.join(uploadsRoot(), rel);
		await mkdir(path.dirname(full), { recursive: true });
		await writeFile(full, v.bytes);
		try {
			const [row] = await tx
				.insert(eventFiles)
				.values({ eventId: v.eventId, title: v.title, fileName: path.basename(v.fileName).slice(0, 200), mimeType: type, size: v.bytes.length, storagePath: rel, documentation: v.documentation, consentConfirmed: v.consentConfirmed })
				.returning();
			await recordAudit(tx, actor, { action: 'event.file_added', objectType: 'event', objectId: v.eventId, changes: { fileId: row.id, title: row.title, fileName: row.fileName } });
			return row;
		} catch (e) {
			await rm(full, { force: true });
			throw e;
		}
	});
}

/** Removes a file (coordinators). */
export async function deleteEventFile(conn: DbOrTx, actor: Actor, input: { eventId: number; fileId: number }): Promise<void> {
	requireAdmin(actor);
	const rel = await conn.transaction(async (tx) => {
		const [f] = await tx
			.delete(eventFiles)
			.where(and(eq(eventFiles.id, input.fileId), eq(eventFiles.eventId, input.eventId)))
			.returning();
		if (!f) throw notFound('Diese Datei gibt es nicht.');
		await recordAudit(tx, actor, { action: 'event.file_deleted', objectType: 'event', objectId: input.eventId, changes: { fileId: f.id, title: f.title } });
		return f.storagePath;
	});
	await rm(path.join(uploadsRoot(), rel), { force: true });
}

/** A file with its bytes, when it may be shown: documentation files only once published. */
export async function readEventFile(conn: DbOrTx, eventId: number, fileId: number, coordinator: boolean) {
	const [row] = await conn
		.select({ file: eventFiles, published: events.documentationPublishedAt })
		.from(eventFiles)
		.innerJoin(events, eq(events.id, eventFiles.eventId))
		.where(and(eq(eventFiles.id, fileId), eq(eventFiles.eventId, eventId)));
	if (!row) return undefined;
	if (row.file.documentation && !row.published && !coordinator) return undefined;
	const full = path.join(uploadsRoot(), row.file.storagePath);
	if (!full.startsWith(uploadsRoot() + path.sep)) return undefined;
	try {
		return { ...row.file, bytes: await readFile(full) };
	} catch {
		return undefined;
	}
}
