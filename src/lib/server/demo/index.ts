/**
 * Demo data: real municipalities and public facts, fictional people. Loaded into an empty
 * database on start (unless DEMO_DATA=0) and by `kommunennetz demo-data`.
 */
import { sql } from 'drizzle-orm';
import type { Config } from '../config';
import type { Db } from '../db';
import { createUser } from '../accounts';
import { users } from '../accounts/schema';
import { recordAudit, systemActor } from '../audit';
import { loadEventsDemo } from './events';
import { loadMembersDemo } from './members';
import { loadInfomailDemo } from './infomail';

/** The demo coordinator's login, printed on first start and shown in the README. */
export const DEMO_COORDINATOR = { email: 'koordination@kommunennetz.example', password: 'Demo-Koordination-2026' };

const DEMO_PASSWORD = 'Demo-Passwort-2026';

/** Fictional people; the areas they act for are real (AGS from GV100AD). */
const DEMO_USERS = [
	{ email: 'a.beispiel@bielefeld.example', name: 'Anna Beispiel', role: 'member_contact', areaAgs: '05711000', position: 'Engagementbeauftragte', organisation: 'Stadt Bielefeld' },
	{ email: 'm.muster@arnsberg.example', name: 'Markus Muster', role: 'member_contact', areaAgs: '05958004', position: 'Büro für bürgerschaftliches Engagement', organisation: 'Stadt Arnsberg' },
	{ email: 'j.probst@essen.example', name: 'Jana Probst', role: 'member_contact', areaAgs: '05113000', position: 'Ehrenamtsagentur', organisation: 'Stadt Essen' },
	{ email: 'info@freiwilligenagentur-rheine.example', name: 'Tobias Vorlage', role: 'partner', areaAgs: '05566076', organisation: 'Freiwilligenagentur Rheine (fiktiv)' }
] as const;

export async function isEmpty(conn: Db): Promise<boolean> {
	const [{ n }] = await conn.select({ n: sql<number>`count(*)::int` }).from(users);
	return n === 0;
}

/** Loads demo data when configured and the database has no users yet. */
export async function loadDemoDataIfEmpty(conn: Db, cfg: Config, log: (m: string) => void): Promise<boolean> {
	if (cfg.demoData === false) return false;
	if (!(await isEmpty(conn))) return false;
	await loadDemoData(conn);
	log('Demodaten geladen. Anmeldung für die Koordinierungsstelle:');
	log(`  E-Mail:   ${DEMO_COORDINATOR.email}`);
	log(`  Passwort: ${DEMO_COORDINATOR.password}`);
	return true;
}

/** Creates the demo accounts (idempotent: existing addresses are left alone). */
export async function loadDemoData(conn: Db): Promise<void> {
	await conn.transaction(async (tx) => {
		// Serialises concurrent first starts of several processes on one database.
		await tx.execute(sql`select pg_advisory_xact_lock(4711202613)`);
		const existing = new Set((await tx.select({ email: users.email }).from(users)).map((u) => u.email.toLowerCase()));
		const all = [
			{ email: DEMO_COORDINATOR.email, name: 'Koordinierungsstelle (Demo)', role: 'coordinator' as const, password: DEMO_COORDINATOR.password, organisation: 'Staatskanzlei NRW' },
			...DEMO_USERS.map((u) => ({ ...u, password: DEMO_PASSWORD }))
		];
		for (const u of all) if (!existing.has(u.email)) await createUser(tx, systemActor, u);
		await loadEventsDemo(tx);
		await loadMembersDemo(tx);
		await loadInfomailDemo(tx);
		await recordAudit(tx, systemActor, { action: 'demo_data.loaded', objectType: 'system' });
	});
}
