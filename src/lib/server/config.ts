/**
 * The platform's configuration, read from the environment once and validated, so that a
 * wrong value stops the start with a clear German message instead of failing later.
 */
import path from 'node:path';
import { z } from 'zod';

const flag = z
	.enum(['0', '1', 'true', 'false', 'on', 'off', 'yes', 'no', ''])
	.transform((v) => (v === '' ? undefined : ['1', 'true', 'on', 'yes'].includes(v)));

const envSchema = z.object({
	PORT: z.coerce.number({ error: 'PORT muss eine Zahl sein' }).int().min(1).max(65535).default(3000),
	HOST: z.string().min(1).default('0.0.0.0'),
	ORIGIN: z
		.string()
		.refine((u) => {
			try {
				return ['http:', 'https:'].includes(new URL(u).protocol);
			} catch {
				return false;
			}
		}, 'ORIGIN muss eine vollständige Adresse mit http:// oder https:// sein, z. B. https://netzwerk.example.de')
		.optional(),
	DATA_DIR: z.string().min(1).default('./data'),
	DATABASE_URL: z
		.string()
		.refine((u) => /^postgres(ql)?:\/\//.test(u), 'DATABASE_URL muss mit postgres:// oder postgresql:// beginnen')
		.optional(),
	SMTP_URL: z
		.string()
		.refine((u) => /^smtps?:\/\//.test(u), 'SMTP_URL muss mit smtp:// oder smtps:// beginnen')
		.optional(),
	MAIL_FROM: z.string().min(3).default('Kommunen-Netzwerk NRW <netzwerk@localhost>'),
	DEMO_DATA: flag.optional()
});

export interface Config {
	port: number;
	host: string;
	/** Public base URL without trailing slash, used in mails and links. */
	origin: string;
	dataDir: string;
	databaseUrl: string | undefined;
	smtpUrl: string | undefined;
	mailFrom: string;
	/** undefined: load demo data when the database is empty. */
	demoData: boolean | undefined;
}

export class ConfigError extends Error {}

/** Root of the checkout; set by bin/ and scripts/ so that relative paths do not depend on cwd. */
export function appRoot(): string {
	return process.env.KOMMUNENNETZ_ROOT ?? process.cwd();
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
	const clean = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in envSchema.shape && v !== ''));
	const parsed = envSchema.safeParse(clean);
	if (!parsed.success) {
		const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
		throw new ConfigError(`Ungültige Konfiguration:\n${lines.join('\n')}`);
	}
	const e = parsed.data;
	return {
		port: e.PORT,
		host: e.HOST,
		origin: (e.ORIGIN ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
		dataDir: path.resolve(appRoot(), e.DATA_DIR),
		databaseUrl: e.DATABASE_URL,
		smtpUrl: e.SMTP_URL,
		mailFrom: e.MAIL_FROM,
		demoData: e.DEMO_DATA
	};
}

let current: Config | undefined;
export function config(): Config {
	current ??= readConfig();
	return current;
}
/** For tests and the CLI, which set the environment before first use. */
export function setConfig(c: Config): void {
	current = c;
}
