/**
 * Uploaded files of members (evidence for criteria, the Beschlussvorlage, logos), stored under
 * DATA_DIR/uploads/members with a random name; the table keeps the original name and a hash.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { config } from '../config';
import type { DbOrTx } from '../db';
import { DomainError } from '../errors';
import { memberFiles } from './schema';

/** A file as it arrives from a form or the API. */
export interface UploadedFile {
	/** Name on the uploader's computer, e.g. "Beschlussvorlage.pdf". */
	fileName: string;
	/** Media type as declared by the client; checked against the content. */
	contentType: string;
	data: Uint8Array;
}

export type FilePurpose = 'evidence' | 'council_document' | 'logo';

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

const KINDS: Record<string, { ext: string; magic: (d: Uint8Array) => boolean }> = {
	'application/pdf': { ext: 'pdf', magic: (d) => startsWith(d, [0x25, 0x50, 0x44, 0x46, 0x2d]) },
	'image/png': { ext: 'png', magic: (d) => startsWith(d, [0x89, 0x50, 0x4e, 0x47]) },
	'image/jpeg': { ext: 'jpg', magic: (d) => startsWith(d, [0xff, 0xd8, 0xff]) }
};
const ALLOWED: Record<FilePurpose, string[]> = {
	evidence: ['application/pdf', 'image/png', 'image/jpeg'],
	council_document: ['application/pdf'],
	logo: ['image/png', 'image/jpeg']
};
const PURPOSE_LABEL: Record<FilePurpose, string> = { evidence: 'Nachweise', council_document: 'Die Beschlussvorlage', logo: 'Das Logo' };
const TYPE_NAMES: Record<string, string> = { 'application/pdf': 'PDF', 'image/png': 'PNG', 'image/jpeg': 'JPEG' };

function startsWith(d: Uint8Array, bytes: number[]): boolean {
	return d.length >= bytes.length && bytes.every((b, i) => d[i] === b);
}

/** The media type by content (never trusting the client's label), or undefined. */
export function sniffType(data: Uint8Array): string | undefined {
	return Object.entries(KINDS).find(([, k]) => k.magic(data))?.[0];
}

export function uploadsDir(): string {
	return path.join(config().dataDir, 'uploads', 'members');
}

/** Checks the file and writes it; the row is inserted in the caller's transaction. */
export async function storeFile(tx: DbOrTx, memberKey: string, purpose: FilePurpose, file: UploadedFile, userId: number | undefined, field = 'file') {
	const allowed = ALLOWED[purpose];
	if (!file.data.length) throw new DomainError('validation', 'Die Datei ist leer.', { [field]: ['Die Datei ist leer. Bitte wählen Sie eine andere Datei.'] });
	if (file.data.length > MAX_UPLOAD_BYTES)
		throw new DomainError('validation', 'Die Datei ist zu groß.', { [field]: [`Die Datei ist größer als ${MAX_UPLOAD_BYTES / 1024 / 1024} MB. Bitte verkleinern Sie sie.`] });
	const type = sniffType(file.data);
	if (!type || !allowed.includes(type)) {
		const names = allowed.map((t) => TYPE_NAMES[t]).join(' oder ');
		throw new DomainError('validation', `${PURPOSE_LABEL[purpose]} muss eine ${names}-Datei sein.`, {
			[field]: [`${PURPOSE_LABEL[purpose]} muss eine ${names}-Datei sein; diese Datei ist keine.`]
		});
	}
	const name = `${randomUUID()}.${KINDS[type].ext}`;
	const dir = uploadsDir();
	await fs.promises.mkdir(dir, { recursive: true });
	await fs.promises.writeFile(path.join(dir, name), file.data);
	const cleanName = (path.basename(file.fileName.replace(/\\/g, '/')) || `datei.${KINDS[type].ext}`).replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 200);
	const [row] = await tx
		.insert(memberFiles)
		.values({
			memberKey,
			purpose,
			fileName: cleanName,
			contentType: type,
			size: file.data.length,
			storagePath: `members/${name}`,
			sha256: createHash('sha256').update(file.data).digest('hex'),
			uploadedBy: userId ?? null
		})
		.returning();
	return row;
}

export async function getFile(conn: DbOrTx, id: number) {
	const [row] = await conn.select().from(memberFiles).where(eq(memberFiles.id, id));
	return row;
}

/** The stored bytes of a file row, or null when the file is gone from disk. */
export async function readStoredFile(row: { storagePath: string }): Promise<Buffer | null> {
	const full = path.join(config().dataDir, 'uploads', row.storagePath);
	try {
		return await fs.promises.readFile(full);
	} catch {
		return null;
	}
}
