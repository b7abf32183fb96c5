/** The CLI's commands; each one calls the same domain functions as the app and the API. */
import { cliActor } from '../lib/server/audit';
import { createApiToken, createUser, findUserByEmail, ROLES } from '../lib/server/accounts';
import { db, migrateDatabase, database } from '../lib/server/db';
import { readFile } from 'node:fs/promises';
import { loadDemoData } from '../lib/server/demo';
import { importSubscribers } from '../lib/server/infomail/subscriptions';
import { parseSubscriberCsv } from '../lib/server/infomail/import';
import { UsageError } from './main';

export interface CommandContext {
	values: Record<string, string | boolean | undefined>;
	positionals: string[];
	/** Result output (stdout). */
	out: (s: string) => void;
	/** Progress and notes (stderr). */
	log: (s: string) => void;
}

export interface Command {
	name: string;
	summary: string;
	options: Record<string, { type: 'string' | 'boolean'; description: string; required?: boolean; valueName?: string }>;
	positionals?: boolean;
	needsDatabase?: boolean;
	run(ctx: CommandContext): Promise<void>;
}

const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);

export const commands: Command[] = [
	{
		name: 'user create',
		summary: 'Legt ein Benutzerkonto an.',
		options: {
			email: { type: 'string', required: true, valueName: 'E-Mail', description: 'E-Mail-Adresse (Anmeldename)' },
			name: { type: 'string', required: true, valueName: 'Name', description: 'Vor- und Nachname' },
			role: { type: 'string', required: true, valueName: 'Rolle', description: `Rolle: ${ROLES.join(', ')}` },
			password: { type: 'string', valueName: 'Passwort', description: 'Passwort (mind. 10 Zeichen); ohne: Konto wartet auf Einladung' },
			ags: { type: 'string', valueName: 'AGS', description: 'Amtlicher Gemeindeschlüssel der Kommune (für member_contact Pflicht)' }
		},
		async run({ values, out }) {
			const user = await db().transaction((tx) =>
				createUser(tx, cliActor, {
					email: str(values.email)!,
					name: str(values.name)!,
					role: str(values.role) as never,
					password: str(values.password),
					areaAgs: str(values.ags)
				})
			);
			out(`Konto angelegt: #${user.id} ${user.email} (${user.role}${user.areaAgs ? `, AGS ${user.areaAgs}` : ''}, ${user.status === 'active' ? 'aktiv' : 'eingeladen'})`);
		}
	},
	{
		name: 'token create',
		summary: 'Erzeugt einen persönlichen API-Token; er steht in der letzten Zeile der Ausgabe.',
		options: {
			email: { type: 'string', required: true, valueName: 'E-Mail', description: 'Konto, dem der Token gehört' },
			name: { type: 'string', valueName: 'Bezeichnung', description: 'Wofür der Token ist (Standard: Kommandozeile)' }
		},
		async run({ values, out }) {
			const user = await findUserByEmail(db(), str(values.email)!);
			if (!user) throw new UsageError(`Es gibt kein Konto mit der E-Mail-Adresse ${str(values.email)}.`);
			const t = await db().transaction((tx) => createApiToken(tx, cliActor, { userId: user.id, name: str(values.name) ?? 'Kommandozeile' }));
			out(`API-Token für ${user.email} (${t.name}). Er wird nur dieses eine Mal angezeigt:`);
			out(t.token);
		}
	},
	{
		name: 'migrate',
		summary: 'Bringt das Datenbankschema auf den neuesten Stand.',
		options: {},
		async run({ out }) {
			await migrateDatabase(database());
			out('Datenbankschema ist aktuell.');
		}
	},
	{
		name: 'demo-data',
		summary: 'Lädt die Demodaten (fiktive Personen, reale Kommunen); vorhandene Einträge bleiben.',
		options: {},
		async run({ out }) {
			await loadDemoData(db());
			out('Demodaten geladen.');
		}
	},
	{
		name: 'subscribers import',
		summary: 'Übernimmt eine Liste von Infomail-Abonnenten (CSV) mit Einwilligung von anderswo.',
		options: {
			'consent-source': { type: 'string', required: true, valueName: 'Quelle', description: 'Wo und wie die Einwilligung erteilt wurde, z. B. "Newsletter-Liste der Staatskanzlei, Double-Opt-in 2024"' }
		},
		positionals: true,
		async run({ values, positionals, out, log }) {
			const file = positionals[0];
			if (!file || positionals.length > 1) throw new UsageError('Bitte genau eine CSV-Datei angeben: subscribers import DATEI.csv --consent-source "…"');
			let text: string;
			try {
				text = await readFile(file, 'utf8');
			} catch (e) {
				throw new UsageError(`Die Datei ${file} lässt sich nicht lesen: ${(e as Error).message}`);
			}
			let parsed;
			try {
				parsed = parseSubscriberCsv(text);
			} catch (e) {
				throw new UsageError(`Die Datei ist kein lesbares CSV: ${(e as Error).message}`);
			}
			const r = await importSubscribers(db(), cliActor, { rows: parsed.rows, source: str(values['consent-source'])! });
			for (const e of [...parsed.errors, ...r.invalid].sort((a, b) => a.line - b.line)) log(`Zeile ${e.line}: ${e.message}`);
			out(
				`Übernommen: ${r.created} neu, ${r.confirmedAgain} bestätigt (waren unbestätigt), ${r.alreadyConfirmed} schon bestätigt, ${r.keptUnsubscribed} bleiben abbestellt, ${parsed.errors.length + r.invalid.length} Zeilen fehlerhaft.`
			);
		}
	}
];
