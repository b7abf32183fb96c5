/**
 * Seeds a database for `npm run bench` (members): every Gemeinde and Kreis of NRW and the five
 * Bezirksregierungen as members (432), spread over five signing rounds, with topics and a
 * profile each. Runs through the domain commands, like real use would.
 */
import { sql } from 'drizzle-orm';
import { systemActor } from '../../src/lib/server/audit';
import { readConfig, setConfig } from '../../src/lib/server/config';
import { db } from '../../src/lib/server/db';
import { createSigningRound, createTopic, recordMembership, updateMemberProfile } from '../../src/lib/server/members';
import { startPlatform, stopPlatform } from '../../src/lib/server/runtime';

const cfg = readConfig();
setConfig(cfg);
await startPlatform({ config: cfg, worker: false, demo: false, log: () => {} });
const conn = db();
const t0 = Date.now();
const rounds = [
	['2012-12-11', 1],
	['2015-06-16', 2],
	['2016-11-22', 3],
	['2018-03-13', 4],
	['2019-05-14', 5]
] as const;
for (const [date, number] of rounds) await createSigningRound(conn, systemActor, { number, date, dateApproximate: true, place: 'Düsseldorf' });
const topics: number[] = [];
for (const name of ['Strategieentwicklung', 'Netzwerkmanagement', 'Digitalisierung', 'Engagement im ländlichen Raum', 'Engagement junger Menschen', 'Ehrenamtskarte']) topics.push((await createTopic(conn, systemActor, { name })).id);
const areas = (await conn.execute<{ ags: string }>(sql`select ags from areas where kind <> 'regierungsbezirk' order by ags`)).rows.map((r) => r.ags);
const keys = [...areas, 'BR-051', 'BR-053', 'BR-055', 'BR-057', 'BR-059'];
let i = 0;
for (const key of keys) {
	await recordMembership(conn, systemActor, { ags: key, signingRound: (i % 5) + 1, signatoryName: `Person ${i}`, signatoryOffice: 'Bürgermeisterin' });
	await updateMemberProfile(conn, systemActor, {
		ags: key,
		description: `Beschreibung ${i}: Engagementförderung mit Freiwilligenagentur und Ehrenamtskarte.`,
		website: 'https://www.example.org',
		structures: [{ kind: 'freiwilligenagentur', label: '', since: '2015' }],
		topicIds: [topics[i % topics.length], topics[(i + 2) % topics.length]]
	});
	i++;
}
console.log(JSON.stringify({ members: keys.length, seconds: (Date.now() - t0) / 1000 }));
await stopPlatform(() => {});
