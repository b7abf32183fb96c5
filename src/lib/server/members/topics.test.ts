/** The managed topic list (names unique across renames, audited, deleting leaves profiles clean) and the safe rendering of the declaration text. */
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { actorFor, createUser } from '../accounts';
import { auditLog } from '../audit/schema';
import { cliActor, type Actor } from '../audit';
import { useTestDatabase } from '../testing';
import { createTopic, deleteTopic, listTopics, updateTopic } from '.';

const t = useTestDatabase();
let coordinator: Actor;

beforeAll(async () => {
	const c = await createUser(t.database.db, cliActor, { email: 'k@example.org', name: 'Kora', role: 'coordinator', password: 'geheimes-passwort-1' });
	coordinator = actorFor({ id: c.id, email: c.email, name: c.name, role: 'coordinator', areaAgs: null }, '127.0.0.1');
});

describe('topics', () => {
	it('refuses a duplicate name on create and on rename, also after a rename kept the old slug', async () => {
		const conn = t.database.db;
		const a = await createTopic(conn, coordinator, { name: 'Ehrenamtskarte' });
		await expect(createTopic(conn, coordinator, { name: 'ehrenamtskarte' })).rejects.toMatchObject({ kind: 'conflict', message: 'Das Thema „ehrenamtskarte“ gibt es schon.', fieldErrors: { name: ['Ein Thema mit diesem Namen gibt es schon.'] } });

		await updateTopic(conn, coordinator, { id: a.id, name: 'Digitalisierung' });
		// The renamed topic keeps the slug "ehrenamtskarte" but the name "Digitalisierung" is taken now.
		await expect(createTopic(conn, coordinator, { name: 'Digitalisierung' })).rejects.toMatchObject({ kind: 'conflict' });
		await expect(createTopic(conn, coordinator, { name: 'Ehrenamtskarte' })).rejects.toMatchObject({ kind: 'conflict' });

		const b = await createTopic(conn, coordinator, { name: 'Quartiersarbeit' });
		await expect(updateTopic(conn, coordinator, { id: b.id, name: 'DIGITALISIERUNG' })).rejects.toMatchObject({ kind: 'conflict', fieldErrors: { name: ['Ein Thema mit diesem Namen gibt es schon.'] } });
		// Renaming a topic to its own name in other case is no conflict with itself.
		await updateTopic(conn, coordinator, { id: b.id, name: 'quartiersarbeit' });
		expect((await listTopics(conn)).map((x) => x.name)).toEqual(['Digitalisierung', 'quartiersarbeit']);
	});

	it('audits create, rename and delete; deleting an unknown or invalid id is a German 404/400', async () => {
		const conn = t.database.db;
		const x = await createTopic(conn, coordinator, { name: 'Sport und Bewegung' });
		await updateTopic(conn, coordinator, { id: x.id, name: 'Sport' });
		await deleteTopic(conn, coordinator, { id: x.id });
		const rows = await conn.select({ action: auditLog.action }).from(auditLog).where(and(eq(auditLog.objectType, 'topic'), eq(auditLog.objectId, String(x.id))));
		expect(rows.map((r) => r.action).sort()).toEqual(['topic.created', 'topic.deleted', 'topic.updated']);
		await expect(deleteTopic(conn, coordinator, { id: x.id })).rejects.toMatchObject({ kind: 'not_found', message: 'Dieses Thema gibt es nicht.' });
		await expect(deleteTopic(conn, coordinator, { id: 0 })).rejects.toMatchObject({ kind: 'validation' });
		await expect(createTopic(conn, coordinator, { name: ' ' })).rejects.toMatchObject({ kind: 'validation', fieldErrors: { name: ['Bitte geben Sie einen Namen an.'] } });
	});
});

describe('declaration text', () => {
	it('renders markdown without scripts, styles or javascript links, headings below h2', async () => {
		const { declarationHtml } = await import('./markdown');
		const html = declarationHtml('# Präambel\n\nWir **fördern** Engagement. <script>alert(1)</script><span style="color:red">x</span> [a](javascript:alert(1)) [b](https://www.nrw.de)');
		expect(html).toContain('<h3>Präambel</h3>');
		expect(html).toContain('<strong>fördern</strong>');
		expect(html).toContain('<a href="https://www.nrw.de">b</a>');
		expect(html).not.toMatch(/script|style=|javascript:/);
	});
});
