import { describe, expect, it } from 'vitest';
import type { Course, Learner } from '../catalog/index.ts';
import { createLogger } from '../logger.ts';
import { LmsApiError, type ListPage, type LmsApiClient } from './client.ts';
import { createWarmer, readList, type WarmUpOptions } from './warm-up.ts';

const learner = (id: number): Learner => ({
  id: `u${id}`,
  email: `u${id}@example.com`,
  username: null,
  first_name: 'Ann',
  last_name: null,
  name: 'Ann',
  department: null,
});
const course = (id: number): Course => ({ id: `c${id}`, title: `Course ${id}`, kind: 'online_course', url: null });

/** A list of `total` items served `pageSize` at a time, cursors being the next index. */
function pagedList<T>(total: number, pageSize: number, make: (index: number) => T) {
  const cursors: Array<string | null> = [];
  const list = async (cursor: string | null): Promise<ListPage<T>> => {
    cursors.push(cursor);
    const start = Number(cursor ?? '0');
    const end = Math.min(total, start + pageSize);
    return { items: Array.from({ length: end - start }, (_, index) => make(start + index)), next: end < total ? String(end) : null };
  };
  return { list, cursors };
}

const direct = <R>(fetch: () => Promise<R>) => fetch();

describe('reading a list to warm a cache', () => {
  it('follows the cursors to the last page and keeps every item', async () => {
    const { list, cursors } = pagedList(25, 10, learner);
    const kept: Learner[] = [];
    const read = await readList({ list, call: direct, keep: (item) => kept.push(item) > 0, max: 100 });
    expect(read).toEqual({ kept: 25, stopped: null });
    expect(cursors).toEqual([null, '10', '20']);
    expect(kept.map((item) => item.id)).toEqual(Array.from({ length: 25 }, (_, index) => `u${index}`));
  });

  it('stops at the cap without asking for another page', async () => {
    const { list, cursors } = pagedList(100, 10, learner);
    const read = await readList({ list, call: direct, keep: () => true, max: 20 });
    expect(read).toEqual({ kept: 20, stopped: 'cap' });
    expect(cursors).toEqual([null, '10']);
  });

  it('stops at the first item the cache refuses', async () => {
    const { list, cursors } = pagedList(100, 10, learner);
    let room = 15;
    const read = await readList({ list, call: direct, keep: () => room-- > 0, max: 1000 });
    expect(read).toEqual({ kept: 15, stopped: 'cache full' });
    expect(cursors).toEqual([null, '10']);
  });

  it('makes every page one call of the given kind', async () => {
    const { list } = pagedList(30, 10, learner);
    let calls = 0;
    await readList({ list, call: (fetch) => ((calls += 1), fetch()), keep: () => true, max: 1000 });
    expect(calls).toBe(3);
  });
});

function lmsClient(lists: { users?: number; courses?: number; pageSize?: number; failUsers?: boolean }) {
  const users = pagedList(lists.users ?? 0, lists.pageSize ?? 10, learner);
  const courses = pagedList(lists.courses ?? 0, lists.pageSize ?? 10, course);
  const client: LmsApiClient = {
    user: async () => null,
    course: async () => null,
    enrollment: async () => null,
    searchCourses: async () => [],
    searchUsers: async () => [],
    ...(lists.users === undefined
      ? {}
      : {
          listUsers: lists.failUsers
            ? async () => {
                throw new LmsApiError('Could not reach the LMS for GET https://lms.example/users (ECONNREFUSED).');
              }
            : users.list,
        }),
    ...(lists.courses === undefined ? {} : { listCourses: courses.list }),
  };
  return { client, users, courses };
}

function warmerFor(options: Partial<WarmUpOptions> = {}) {
  let time = 0;
  const learners = new Map<string, Learner>();
  const courses = new Map<string, Course>();
  const written: Array<Record<string, unknown>> = [];
  const logger = createLogger({ destination: { write: (line: string) => void written.push(JSON.parse(line) as Record<string, unknown>) } });
  const levels: Record<number, string> = { 30: 'info', 40: 'warn' };
  const lines = () => written.map((line) => ({ level: levels[Number(line['level'])], fields: line, message: String(line['msg']) }));
  const warmer = createWarmer({
    maxEntries: 1000,
    ttlMs: 60_000,
    call: (_connection, fetch) => fetch(),
    keepLearner: (connection, item) => (learners.set(`${connection}/${item.id}`, item), true),
    keepCourse: (connection, item) => (courses.set(`${connection}/${item.id}`, item), true),
    now: () => time,
    logger,
    ...options,
  });
  return { warmer, learners, courses, lines, advance: (ms: number) => (time += ms) };
}

describe('the warmer', () => {
  it('warms a new client: courses, then users, and logs the start and the end with what it cost', async () => {
    const { warmer, learners, courses, lines } = warmerFor();
    const { client } = lmsClient({ users: 25, courses: 5 });
    warmer.seen('con_1', client, true);
    await warmer.settled('con_1');
    expect(learners.size).toBe(25);
    expect(courses.size).toBe(5);
    expect(learners.get('con_1/u7')).toEqual(learner(7));
    expect(lines().map((line) => line.level)).toEqual(['info', 'info']);
    expect(lines()[1]?.fields).toMatchObject({ connection_id: 'con_1', learners: 25, courses: 5, calls: 4, stopped: null });
    expect(lines()[1]?.message).toContain('25 learners and 5 courses in 4 calls');
  });

  it('shares the cap between courses and users', async () => {
    const { warmer, learners, courses, lines } = warmerFor({ maxEntries: 12 });
    warmer.seen('con_1', lmsClient({ users: 25, courses: 5 }).client, true);
    await warmer.settled('con_1');
    expect(courses.size).toBe(5);
    expect(learners.size).toBe(7);
    expect(lines()[1]?.fields).toMatchObject({ stopped: 'cap' });
  });

  it('does nothing for a client without lists, or with warming off', async () => {
    const off = warmerFor({ maxEntries: 0 });
    off.warmer.seen('con_1', lmsClient({ users: 5 }).client, true);
    await off.warmer.settled('con_1');
    expect(off.learners.size).toBe(0);
    const unlisted = warmerFor();
    unlisted.warmer.seen('con_1', lmsClient({}).client, true);
    expect(unlisted.lines()).toEqual([]);
  });

  it('does not read the lists again for the same client until its values expired and an event used it since', async () => {
    const { warmer, advance } = warmerFor();
    const { client, users } = lmsClient({ users: 5 });
    warmer.seen('con_1', client, false);
    await warmer.settled('con_1');
    warmer.seen('con_1', client, false);
    advance(60_000);
    // Idle since the warm-up: not read again.
    warmer.seen('con_1', client, false);
    await warmer.settled('con_1');
    expect(users.cursors).toEqual([null]);
    // Used, and past the TTL: read again.
    warmer.seen('con_1', client, true);
    await warmer.settled('con_1');
    expect(users.cursors).toEqual([null, null]);
  });

  it('warms a new client of the same connection, as when its settings change', async () => {
    const { warmer } = warmerFor();
    const first = lmsClient({ users: 5 });
    const second = lmsClient({ users: 5 });
    warmer.seen('con_1', first.client, true);
    await warmer.settled('con_1');
    warmer.seen('con_1', second.client, true);
    await warmer.settled('con_1');
    expect(first.users.cursors).toEqual([null]);
    expect(second.users.cursors).toEqual([null]);
  });

  it('logs one line when the LMS cannot list, keeping what it had read', async () => {
    const { warmer, courses, lines } = warmerFor();
    warmer.seen('con_1', lmsClient({ courses: 3, users: 5, failUsers: true }).client, true);
    await warmer.settled('con_1');
    expect(courses.size).toBe(3);
    expect(lines().map((line) => line.level)).toEqual(['info', 'warn']);
    expect(lines()[1]?.message).toContain('hydrated one lookup at a time');
    expect(lines()[1]?.fields).toMatchObject({ connection_id: 'con_1', courses: 3, learners: 0 });
  });

  it('stops warming an old client once the connection has a new one, without a warning', async () => {
    const { warmer, lines } = warmerFor();
    const old = lmsClient({ users: 50 });
    const oldList = old.client.listUsers;
    if (!oldList) throw new Error('the client lists no users');
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    // The old LMS answers its first page, then goes away while the settings change.
    old.client.listUsers = async (cursor) => {
      if (cursor !== null) {
        await held;
        throw new LmsApiError('Could not reach the LMS for GET https://old.example/users (ECONNREFUSED).');
      }
      return oldList(cursor);
    };
    warmer.seen('con_1', old.client, true);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const replacement = lmsClient({ users: 5 });
    warmer.seen('con_1', replacement.client, true);
    release();
    await warmer.settled('con_1');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(replacement.users.cursors).toEqual([null]);
    expect(lines().filter((line) => line.level === 'warn')).toEqual([]);
    expect(lines().some((line) => line.message.startsWith('hydration warm-up stopped'))).toBe(true);
  });

  it('starts no warm-up once stopped, and ends the one under way at its next page', async () => {
    const { warmer, learners, lines } = warmerFor();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const { client, users } = lmsClient({ users: 50 });
    const list = client.listUsers;
    if (!list) throw new Error('the client lists no users');
    client.listUsers = async (cursor) => {
      await held;
      return list(cursor);
    };
    warmer.seen('con_1', client, true);
    // The first page is under way when the hub stops.
    await new Promise((resolve) => setTimeout(resolve, 10));
    warmer.stop();
    release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(users.cursors).toEqual([null]);
    expect(learners.size).toBe(0);
    expect(lines().some((line) => line.message.startsWith('hydration warm-up stopped'))).toBe(true);
    warmer.seen('con_2', lmsClient({ users: 5 }).client, true);
    expect(lines().filter((line) => line.message.startsWith('hydration warm-up started'))).toHaveLength(1);
  });
});
