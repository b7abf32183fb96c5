/**
 * Who an Infomail goes to. Each audience is a resolver: a SQL query yielding `email` and
 * `name`. The recipients are the union of the chosen audiences, one row per address (lower
 * case), without addresses that unsubscribed or hard-bounced. A new group, e.g. the
 * participants of an event, is one more entry in AUDIENCES (or `registerAudience` from its
 * domain).
 */
import { sql, type SQL } from 'drizzle-orm';

export interface AudienceResolver {
	key: string;
	/** German name shown to coordinators. */
	label: string;
	description: string;
	/** A query with the columns `email` and `name` (name may be null). */
	query(): SQL;
}

const AUDIENCES: AudienceResolver[] = [
	{
		key: 'member_contacts',
		label: 'Alle kommunalen Ansprechpersonen',
		description: 'Aktive Konten mit der Rolle „Kommunale Ansprechperson“.',
		query: () => sql`select u.email, u.name from users u where u.role = 'member_contact' and u.status = 'active'`
	},
	{
		key: 'subscribers',
		label: 'Bestätigte Abonnentinnen und Abonnenten',
		description: 'Alle, die die Infomail über das Formular, die API oder einen Import abonniert und bestätigt haben.',
		query: () => sql`select s.email, s.name from infomail_subscribers s where s.status = 'confirmed'`
	}
];

export function registerAudience(a: AudienceResolver): void {
	const i = AUDIENCES.findIndex((x) => x.key === a.key);
	if (i >= 0) AUDIENCES[i] = a;
	else AUDIENCES.push(a);
}

export function audiences(): readonly AudienceResolver[] {
	return AUDIENCES;
}

export function audienceKeys(): string[] {
	return AUDIENCES.map((a) => a.key);
}

export function audienceLabel(key: string): string {
	return AUDIENCES.find((a) => a.key === key)?.label ?? key;
}

/** A soft bounce counts like a hard one after this many within SOFT_BOUNCE_DAYS. */
export const SOFT_BOUNCE_LIMIT = 3;
export const SOFT_BOUNCE_DAYS = 30;

/** SQL condition: the (lower-case) address `col` may not be mailed (unsubscribed or bounced). */
export function suppressed(col: SQL): SQL {
	return sql`(exists (select 1 from infomail_subscribers x where x.email = ${col} and x.status = 'unsubscribed')
	  or exists (select 1 from mail_bounces b where b.email = ${col} and b.cleared_at is null and b.kind = 'hard')
	  or (select count(*) from mail_bounces b where b.email = ${col} and b.cleared_at is null and b.kind = 'soft'
	        and b.occurred_at > now() - make_interval(days => ${SOFT_BOUNCE_DAYS})) >= ${SOFT_BOUNCE_LIMIT})`;
}

/**
 * The recipients of the chosen audiences: `email` (lower case), `name`, `audience` (the first
 * audience in the order given that has the address with a name; either reason is true).
 */
export function recipientsQuery(keys: string[]): SQL {
	const chosen = keys.map((k, i) => ({ r: AUDIENCES.find((a) => a.key === k), i })).filter((x) => x.r);
	if (!chosen.length) return sql`select null::text as email, null::text as name, null::text as audience where false`;
	const union = sql.join(
		chosen.map(({ r, i }) => sql`select lower(trim(q.email)) as email, nullif(trim(q.name), '') as name, ${r!.key}::text as audience, ${i}::int as prio from (${r!.query()}) q`),
		sql` union all `
	);
	return sql`select distinct on (a.email) a.email, a.name, a.audience from (${union}) a
	  where a.email is not null and a.email <> '' and not ${suppressed(sql`a.email`)}
	  order by a.email, (a.name is null), a.prio`;
}
