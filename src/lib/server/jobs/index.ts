/**
 * Durable background jobs on PostgreSQL. `enqueueJob` takes the caller's transaction, so a
 * job exists exactly when the change that caused it commits. Workers claim due jobs with
 * `FOR UPDATE SKIP LOCKED` (each job runs in one process only), hold a lease that they renew
 * while the handler runs, and retry failures with exponential backoff until `max_attempts`,
 * then mark the job `failed` with its last error. A worker killed mid-job stops renewing; once
 * its lease has run out another worker takes the job again. Delivery is therefore
 * at-least-once and handlers must be idempotent.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import type { DbOrTx } from '../db';
import { jobs } from './schema';

export interface EnqueueOptions {
	/** Run not before this time. */
	runAt?: Date;
	maxAttempts?: number;
}

export async function enqueueJob(tx: DbOrTx, kind: string, payload: Record<string, unknown>, opts: EnqueueOptions = {}): Promise<number> {
	const [row] = await tx
		.insert(jobs)
		.values({ kind, payload, runAt: opts.runAt ?? new Date(), maxAttempts: opts.maxAttempts ?? 8 })
		.returning({ id: jobs.id });
	// Wakes idle workers at commit; without it they would find the job at their next poll.
	await tx.execute(sql`select pg_notify('kommunennetz_jobs', ${kind})`);
	return row.id;
}

/** A job handler; throw `PermanentJobError` for failures that retrying cannot fix. */
export type JobHandler = (payload: Record<string, unknown>, job: JobInfo) => Promise<void>;

export interface JobInfo {
	id: number;
	/** This attempt's number, starting at 1. */
	attempts: number;
	/** After this attempt fails, the job is given up (`failed`). */
	maxAttempts: number;
}

export class PermanentJobError extends Error {}

/** Delay before attempt n+1: 10 s, 20 s, 40 s … capped at one hour. */
export function backoffSeconds(attempts: number): number {
	return Math.min(3600, 10 * 2 ** Math.max(0, attempts - 1));
}

export interface WorkerOptions {
	pool: pg.Pool;
	handlers: Record<string, JobHandler>;
	/** Poll interval when no notification arrives. */
	pollMs?: number;
	/** How long a claimed job stays locked to this worker; renewed while the handler runs. */
	leaseSeconds?: number;
	/** Jobs run at once by this worker. */
	concurrency?: number;
	log?: (msg: string) => void;
}

export interface Worker {
	id: string;
	/**
	 * Runs due jobs until none is due any more and none of this worker's jobs is still running;
	 * resolves with the number of jobs this worker finished meanwhile (done or failed). Jobs
	 * retried with a later `run_at` are not waited for. For tests and the CLI.
	 */
	drain(): Promise<number>;
	/** Takes no new jobs, waits for the running ones and releases the LISTEN connection. */
	stop(): Promise<void>;
}

interface ClaimedJob {
	id: number;
	kind: string;
	payload: Record<string, unknown>;
	attempts: number;
	max_attempts: number;
}

function errorMessage(err: unknown): string {
	if (err instanceof Error) return err.message || err.name;
	return String(err);
}

export function startWorker(opts: WorkerOptions, autoStart = true): Worker {
	const id = `${process.pid}-${randomUUID().slice(0, 8)}`;
	const lease = opts.leaseSeconds ?? 300;
	const concurrency = opts.concurrency ?? 4;
	const log = opts.log ?? (() => {});
	let stopped = false;
	/** Slots in use: jobs running plus claims under way (a slot is taken before claiming). */
	let busy = 0;
	let finished = 0;
	let timer: NodeJS.Timeout | undefined;
	let listener: pg.PoolClient | undefined;
	const inFlight = new Set<Promise<unknown>>();
	let idleWaiters: (() => void)[] = [];
	const kinds = Object.keys(opts.handlers);

	function release() {
		busy--;
		if (busy === 0) {
			const waiters = idleWaiters;
			idleWaiters = [];
			for (const w of waiters) w();
		}
	}
	function whenIdle(): Promise<void> {
		return busy === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));
	}

	async function claim(): Promise<ClaimedJob | undefined> {
		const res = await opts.pool.query<ClaimedJob>(
			`update jobs set status = 'running', attempts = attempts + 1, locked_by = $1,
			        locked_until = now() + make_interval(secs => $2)
			  where id = (
			    select id from jobs
			     where kind = any($3::text[])
			       and ((status = 'pending' and run_at <= now())
			         or (status = 'running' and locked_until < now()))
			     order by run_at, id
			     for update skip locked
			     limit 1)
			returning id, kind, payload, attempts, max_attempts`,
			[id, lease, kinds]
		);
		return res.rows[0];
	}

	async function runOne(job: ClaimedJob): Promise<void> {
		const handler = opts.handlers[job.kind];
		// Keeps the lease while a slow handler runs, so that no other worker takes the job over
		// from a live process; a dead process stops renewing and its lease runs out.
		const renew = setInterval(
			() => {
				opts.pool
					.query(`update jobs set locked_until = now() + make_interval(secs => $3) where id = $1 and locked_by = $2`, [job.id, id, lease])
					.catch(() => undefined);
			},
			Math.max(1000, (lease * 1000) / 3)
		);
		renew.unref();
		try {
			await handler(job.payload, { id: job.id, attempts: job.attempts, maxAttempts: job.max_attempts });
			clearInterval(renew);
			// `locked_by = $2`: when another worker took the job over, its outcome counts.
			await opts.pool.query(
				`update jobs set status = 'done', finished_at = now(), locked_by = null, locked_until = null, last_error = null
				  where id = $1 and locked_by = $2`,
				[job.id, id]
			);
		} catch (err) {
			clearInterval(renew);
			const message = errorMessage(err);
			const final = err instanceof PermanentJobError || job.attempts >= job.max_attempts;
			log(`Auftrag ${job.kind} #${job.id} fehlgeschlagen (Versuch ${job.attempts}/${job.max_attempts}): ${message}`);
			await opts.pool
				.query(
					`update jobs set status = $3::job_status, last_error = $4, locked_by = null, locked_until = null,
					        run_at = case when $3::job_status = 'failed' then run_at else now() + make_interval(secs => $5) end,
					        finished_at = case when $3::job_status = 'failed' then now() end
					  where id = $1 and locked_by = $2`,
					[job.id, id, final ? 'failed' : 'pending', message.slice(0, 2000), backoffSeconds(job.attempts)]
				)
				.catch((e) => log(`Auftrag #${job.id}: Status nicht gespeichert: ${errorMessage(e)}`));
		}
	}

	/** Claims and starts jobs while there are free slots. Returns how many it started. */
	async function fill(): Promise<number> {
		let started = 0;
		while (!stopped && busy < concurrency) {
			// The slot is taken before the claim, so that concurrent fills (notification, poll,
			// a finished job) never run more than `concurrency` jobs.
			busy++;
			let job: ClaimedJob | undefined;
			try {
				job = await claim();
			} catch (err) {
				release();
				log(`Auftragswarteschlange nicht erreichbar: ${errorMessage(err)}`);
				return started;
			}
			if (!job) {
				release();
				break;
			}
			if (stopped) {
				// Claimed while stopping: hand it back untouched instead of leaving it to the lease.
				await opts.pool
					.query(
						`update jobs set status = 'pending', attempts = attempts - 1, locked_by = null, locked_until = null
						  where id = $1 and locked_by = $2`,
						[job.id, id]
					)
					.catch(() => undefined);
				release();
				break;
			}
			started++;
			const p: Promise<void> = runOne(job).finally(() => {
				finished++;
				inFlight.delete(p);
				release();
				if (!stopped) track(fill());
			});
			inFlight.add(p);
		}
		return started;
	}

	/** Remembers a background fill so that stop() can wait for its claim. */
	function track(p: Promise<unknown>) {
		inFlight.add(p);
		void p.finally(() => inFlight.delete(p));
	}

	function schedule() {
		if (stopped) return;
		timer = setTimeout(async () => {
			if (autoStart && !listener) await listen();
			await fill();
			schedule();
		}, opts.pollMs ?? 2000);
		timer.unref();
	}

	async function listen() {
		if (stopped) return;
		let client: pg.PoolClient | undefined;
		let released = false;
		const drop = (err?: Error) => {
			if (released || !client) return;
			released = true;
			if (listener === client) listener = undefined;
			client.release(err ?? true);
		};
		try {
			client = await opts.pool.connect();
			client.on('notification', () => track(fill()));
			// A lost listener only makes the worker slower: the poll keeps working and opens a new one.
			client.on('error', (err) => drop(err));
			await client.query('listen kommunennetz_jobs');
			if (released) return;
			if (stopped) return drop();
			listener = client;
		} catch (err) {
			drop(err as Error);
			log(`LISTEN nicht möglich, es wird nur abgefragt: ${errorMessage(err)}`);
		}
	}

	if (autoStart) {
		track(listen().then(() => fill()));
		schedule();
	}

	return {
		id,
		async drain() {
			const before = finished;
			for (;;) {
				await whenIdle();
				const started = await fill();
				// Nothing started and nothing running: the last claim found no due job.
				if (started === 0 && busy === 0) return finished - before;
			}
		},
		async stop() {
			stopped = true;
			if (timer) clearTimeout(timer);
			while (inFlight.size) await Promise.all([...inFlight]);
			const l = listener;
			listener = undefined;
			if (l) {
				await l.query('unlisten *').catch(() => undefined);
				l.release();
			}
		}
	};
}
