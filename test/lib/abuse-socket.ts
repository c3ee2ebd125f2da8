import net from 'node:net';

/**
 * A raw TCP connection to the hub, for requests no HTTP client sends: headers a byte at a time,
 * a Content-Length the body never reaches, a body that keeps coming. It records what the hub
 * answers, when it answered relative to what was sent, and whether the hub closed the connection.
 */
export interface RawConnection {
  /** Writes bytes unless the connection is gone; answers false when it is. */
  send(bytes: string | Buffer): Promise<boolean>;
  /** Everything the hub has answered so far. */
  readonly answer: string;
  /** Bytes written before the first answer byte arrived (null: no answer yet). */
  readonly sentBeforeAnswer: number | null;
  readonly sent: number;
  readonly closed: boolean;
  /** Resolves once the hub closes the connection (or it breaks). */
  whenClosed: Promise<void>;
  /** Resolves once an answer's status line has arrived. */
  whenAnswered: Promise<void>;
  destroy(): void;
}

export async function openRaw(hubUrl: string): Promise<RawConnection> {
  const { hostname, port } = new URL(hubUrl);
  const socket = net.connect({ host: hostname, port: Number(port) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let answer = '';
  let sent = 0;
  let sentBeforeAnswer: number | null = null;
  let closed = false;
  let answered: () => void = () => {};
  const whenAnswered = new Promise<void>((resolve) => (answered = resolve));
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    if (sentBeforeAnswer === null) sentBeforeAnswer = sent;
    answer += chunk;
    if (/^HTTP\/1\.1 \d{3}/.test(answer)) answered();
  });
  // A reset after the hub answered and stopped reading is expected here, not a test failure.
  socket.on('error', () => {});
  const whenClosed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closed = true;
      resolve();
    }),
  );
  return {
    async send(bytes) {
      if (closed || socket.destroyed || !socket.writable) return false;
      const length = Buffer.byteLength(bytes);
      return new Promise<boolean>((resolve) => {
        socket.write(bytes, (error) => {
          if (!error) sent += length;
          resolve(!error);
        });
      });
    },
    get answer() {
      return answer;
    },
    get sentBeforeAnswer() {
      return sentBeforeAnswer;
    },
    get sent() {
      return sent;
    },
    get closed() {
      return closed;
    },
    whenClosed,
    whenAnswered,
    destroy: () => socket.destroy(),
  };
}

/** The status code of a raw HTTP answer, or null before one has arrived. */
export const statusOf = (answer: string): number | null => {
  const match = /^HTTP\/1\.1 (\d{3})/.exec(answer);
  return match?.[1] ? Number(match[1]) : null;
};
