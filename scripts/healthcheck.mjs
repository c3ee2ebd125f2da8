// The image's HEALTHCHECK (Dockerfile): asks the hub in this container for /healthz with Node's
// own fetch, since slim images have no curl. Exits 0 when it answers {"status":"ok"}, else 1.
// Reads the hub's own PORT and HOST, so it follows whatever the container was configured with.

const port = process.env.PORT || '8080';
const listen = process.env.HOST || '0.0.0.0';
// A hub listening on every address is reached on loopback; one bound to a single address, there.
const host = listen === '0.0.0.0' || listen === '::' ? '127.0.0.1' : listen;
const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/healthz`;

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4_000) });
  const body = await response.json();
  if (response.status !== 200 || body?.status !== 'ok') throw new Error(`answered ${response.status} ${JSON.stringify(body)}`);
} catch (error) {
  process.stderr.write(`healthcheck: ${url}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
