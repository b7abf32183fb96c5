/**
 * `kommunennetz <command>`: administration from the shell. Works against the same database as
 * the app, whether the app is running (the embedded server is shared) or not.
 * Exit codes: 0 success, 1 the command failed, 2 wrong usage or configuration.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ZodError } from 'zod';
import { ConfigError, readConfig, setConfig } from '../lib/server/config';
import { DomainError, fieldErrorsOf, rootMessage } from '../lib/server/errors';
import { startPlatform, stopPlatform } from '../lib/server/runtime';
import { commands, type Command } from './commands';

export class UsageError extends Error {}

function usage(): string {
	const width = Math.max(...commands.map((c) => c.name.length));
	return [
		'Aufruf: npx kommunennetz <Befehl> [Optionen]',
		'',
		'Befehle:',
		...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
		'',
		'Hilfe zu einem Befehl: npx kommunennetz <Befehl> --help'
	].join('\n');
}

function commandHelp(c: Command): string {
	const opts = Object.entries(c.options).map(([name, o]) => `  --${name}${o.type === 'string' ? ` <${o.valueName ?? 'Wert'}>` : ''}${o.required ? '' : ' (optional)'}\n      ${o.description}`);
	return [`Aufruf: npx kommunennetz ${c.name}${Object.keys(c.options).length ? ' [Optionen]' : ''}`, '', c.summary, ...(opts.length ? ['', 'Optionen:', ...opts] : [])].join('\n');
}

export async function main(argv: string[], out: (s: string) => void = (s) => console.log(s), err: (s: string) => void = (s) => console.error(s)): Promise<number> {
	const command = commands.find((c) => c.name.split(' ').every((word, i) => argv[i] === word));
	if (!command) {
		if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
			out(usage());
			return 0;
		}
		err(`${argv.length ? `Unbekannter Befehl: ${argv.join(' ')}\n\n` : ''}${usage()}`);
		return 2;
	}
	const rest = argv.slice(command.name.split(' ').length);
	if (rest.includes('--help') || rest.includes('-h')) {
		out(commandHelp(command));
		return 0;
	}
	let values: Record<string, string | boolean | undefined>;
	let positionals: string[];
	try {
		const parsed = parseArgs({
			args: rest,
			options: Object.fromEntries(Object.entries(command.options).map(([k, o]) => [k, { type: o.type }])) as ParseArgsConfig['options'],
			allowPositionals: command.positionals ?? false,
			strict: true
		});
		values = parsed.values as typeof values;
		positionals = parsed.positionals;
		const missing = Object.entries(command.options).filter(([k, o]) => o.required && values[k] === undefined);
		if (missing.length) throw new UsageError(`Es fehlt: ${missing.map(([k]) => `--${k}`).join(', ')}`);
	} catch (e) {
		err(`Fehler: ${e instanceof UsageError ? e.message : translateParseError((e as Error).message)}\n\n${commandHelp(command)}`);
		return 2;
	}

	try {
		setConfig(readConfig());
	} catch (e) {
		if (e instanceof ConfigError) {
			err(e.message);
			return 2;
		}
		throw e;
	}
	const log = (m: string) => err(m);
	try {
		if (command.needsDatabase !== false) await startPlatform({ worker: false, demo: false, log: () => {} });
		await command.run({ values, positionals, out, log });
		return 0;
	} catch (e) {
		if (e instanceof UsageError) {
			err(`Fehler: ${e.message}`);
			return 2;
		}
		if (e instanceof ZodError) {
			const fields = fieldErrorsOf(e);
			err(`Ungültige Eingabe:\n${Object.entries(fields).map(([k, v]) => `  ${k || 'Eingabe'}: ${v.join(' ')}`).join('\n')}`);
			return 2;
		}
		if (e instanceof DomainError) {
			err(`Fehler: ${e.message}`);
			return e.kind === 'validation' ? 2 : 1;
		}
		err(`Fehler: ${rootMessage(e)}`);
		return 1;
	} finally {
		await stopPlatform(() => {});
	}
}

function translateParseError(m: string): string {
	if (/Unknown option '([^']+)'/.test(m)) return `Unbekannte Option ${m.match(/Unknown option '([^']+)'/)![1]}`;
	if (/argument missing/.test(m) || /requires an argument/.test(m)) return `Option ohne Wert: ${m.match(/'(--?[^' ]+)/)?.[1] ?? m}`;
	if (/Unexpected argument '([^']+)'/.test(m)) return `Unerwartetes Argument ${m.match(/Unexpected argument '([^']+)'/)![1]}`;
	return m;
}
