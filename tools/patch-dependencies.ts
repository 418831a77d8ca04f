/**
 * Runs after `npm install`/`npm ci` (root postinstall): applies small, exact
 * fixes to dependencies whose upstream fix is not released yet. Each patch is
 * idempotent and applies only to the exact source it was written for.
 *
 * postgres@3.4.9: `nextWrite` can run after the connection closed and call
 * `socket.write` on null — an uncatchable TypeError that kills the process
 * (porsager/postgres#1154, #1208; fix proposed in #1209). Guard it and settle
 * the pending query with CONNECTION_CLOSED, so callers get a normal error and
 * the pool reconnects.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface Patch {
  name: string;
  file: string;
  find: string;
  replace: string;
}

/** A whole region replaced: from `start` up to (not including) `end`, applied only if the region's sha256 matches. */
interface RegionPatch {
  name: string;
  file: string;
  start: string;
  end: string;
  sha256: string;
  replacementFile: string;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packageFile = (pkg: string, file: string) => path.join(root, 'node_modules', pkg, file);

const guard = {
  find: `  function nextWrite(fn) {
    const x = socket.write(chunk, fn)`,
  replace: `  function nextWrite(fn) {
    if (socket === null) { // photospots patch (porsager/postgres#1209)
      nextWriteTimer !== null && clearImmediate(nextWriteTimer)
      chunk = nextWriteTimer = null
      error(Errors.connection('CONNECTION_CLOSED', options))
      return false
    }
    const x = socket.write(chunk, fn)`,
};

/**
 * postgres@3.4.9 leaves Nagle's algorithm on: a small write that follows
 * another waits for the server's delayed ACK (~40 ms on Linux), so every small
 * COPY or pipelined batch costs 40 ms. Turn it off once connected.
 */
const noDelay = {
  find: `      socket.on('data', data)
      keep_alive && socket.setKeepAlive && socket.setKeepAlive(true, 1000 * keep_alive)`,
  replace: `      socket.on('data', data)
      socket.setNoDelay && socket.setNoDelay(true) // photospots patch: no Nagle delay on small writes
      keep_alive && socket.setKeepAlive && socket.setKeepAlive(true, 1000 * keep_alive)`,
};

/**
 * postgres@3.4.9: when the server rejects a `COPY … FROM STDIN` after the
 * client sent CopyDone (a unique violation, a malformed row), the writable's
 * final callback is never called: the pipeline awaiting it hangs, and inside
 * sql.begin() no ROLLBACK is sent, so the connection stays "idle in
 * transaction (aborted)" for good (porsager/postgres#1173; fix proposed in
 * #1183). Settle it with the server's error.
 */
const copyError = {
  find: `  function errored(err) {
    stream && (stream.destroy(err), stream = null)`,
  replace: `  function errored(err) {
    final && (final(err), final = null) // photospots patch (porsager/postgres#1183)
    stream && (stream.destroy(err), stream = null)`,
};

/**
 * postgres@3.4.9: when a transaction's connection closes, sql.begin() rejects at once, but the callback runs
 * on, and its later statements (and the ROLLBACK or COMMIT begin sends when the callback settles) still go to
 * the same connection object, which the pool may by then have reopened for another caller. Seen here: a
 * stale COMMIT ended another caller's transaction halfway (its two statements ran under two transaction ids).
 * And statements the transaction had queued (its connection's pipeline full) never settle at all: an
 * import waiting on one hangs for good (porsager/postgres#1186, #1216; fix proposed in #1215). Once begin()
 * has settled, its queued statements are rejected and its scopes reject every new one
 * (libs/db/test/transactions.test.ts).
 */
const settledDeclared = {
  find: `      , prepare = null

    try {`,
  replace: `      , prepare = null
      , settled = false // photospots patch: a settled transaction's statements never reach the connection

    try {`,
};

const settledOnExit = {
  find: `    } catch (error) {
      throw error
    }
`,
  replace: `    } catch (error) {
      throw error
    } finally {
      settled = true
      while (queries.length)
        queries.shift().reject(Errors.connection('CONNECTION_CLOSED', options, options))
    }
`,
};

const settledScope = {
  find: `      function handler(q) {
        q.catch(e => uncaughtError || (uncaughtError = e))`,
  replace: `      function handler(q) {
        if (settled) // photospots patch: see settled above
          return q.reject(Errors.connection('CONNECTION_CLOSED', options, options))
        q.catch(e => uncaughtError || (uncaughtError = e))`,
};

/** postgres ships its source twice, as ESM (src/) and as CommonJS (cjs/src/): every fix goes to both. */
const postgresPatches = [
  { name: 'guard nextWrite against a closed socket', file: 'connection.js', ...guard },
  { name: 'TCP no-delay', file: 'connection.js', ...noDelay },
  { name: 'settle a failed COPY FROM STDIN', file: 'connection.js', ...copyError },
  { name: 'a settled transaction marks itself', file: 'index.js', ...settledDeclared },
  { name: 'a settled transaction rejects what it queued', file: 'index.js', ...settledOnExit },
  { name: 'a settled transaction\'s scopes reject statements', file: 'index.js', ...settledScope },
];

const patches: Patch[] = postgresPatches.flatMap(({ name, file, ...edit }) => [
  { name: `postgres (ESM): ${name}`, file: packageFile('postgres', `src/${file}`), ...edit },
  { name: `postgres (CJS): ${name}`, file: packageFile('postgres', `cjs/src/${file}`), ...edit },
]);

/**
 * @fastify/rate-limit@11.2.0 runs every limited request through an async
 * hook that awaits each step (key generator, limit function, store callback)
 * even when all of them answer synchronously, as ours do (the batched Redis
 * store counts in memory): a microtask and a promise per step on every
 * request. tools/patches/fastify-rate-limit-sync-hook.js keeps the steps and
 * their error paths but uses values that are not promises at once, with a
 * callback hook; and it sets its x-ratelimit-* header values as strings (Node
 * checks a number header value through a slow path on every response). Measured
 * with `npm run bench:api`: the awaits alone nearby +5–8% requests/s; the string
 * headers took nearby from ~54% to 68–72% of the bare route.
 * The plugin's own test suite passes against the patched file
 * (apps/query-api/test/rate-limit-patch.test.ts runs it).
 */
const regionPatches: RegionPatch[] = [
  {
    name: '@fastify/rate-limit: synchronous fast path for synchronous keys, limits and stores',
    file: packageFile('@fastify/rate-limit', 'index.js'),
    start: 'async function applyRateLimit (',
    end: '\nmodule.exports = fp(',
    sha256: '6679106eca8998a7004bba5821b021673e180e3650bab54acbc896e7f0b31301',
    replacementFile: path.join(root, 'tools/patches/fastify-rate-limit-sync-hook.js'),
  },
];

for (const patch of regionPatches) {
  if (!existsSync(patch.file)) {
    console.log(`patch skipped (not installed): ${patch.name}`);
    continue;
  }
  const source = readFileSync(patch.file, 'utf8');
  const replacement = `${readFileSync(patch.replacementFile, 'utf8').trimEnd()}\n`;
  if (source.includes(replacement)) continue;
  const from = source.indexOf(patch.start);
  const to = from < 0 ? -1 : source.indexOf(patch.end, from);
  const region = to < 0 ? '' : source.slice(from, to);
  if (createHash('sha256').update(region).digest('hex') !== patch.sha256) {
    console.warn(`patch not applied (the source changed; check whether upstream changed or fixed it): ${patch.name}`);
    continue;
  }
  writeFileSync(patch.file, source.slice(0, from) + replacement + source.slice(to));
  console.log(`patched: ${patch.name}`);
}

for (const patch of patches) {
  if (!existsSync(patch.file)) {
    console.log(`patch skipped (not installed): ${patch.name}`);
    continue;
  }
  const source = readFileSync(patch.file, 'utf8');
  if (source.includes(patch.replace)) continue;
  if (!source.includes(patch.find)) {
    console.warn(`patch not applied (the source changed; check whether upstream fixed it): ${patch.name}`);
    continue;
  }
  writeFileSync(patch.file, source.replace(patch.find, patch.replace));
  console.log(`patched: ${patch.name}`);
}
