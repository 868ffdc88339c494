// An engine endpoint for fault tests: a unix socket in front of the lab
// engine's that passes every request through, except those a test chooses to
// answer with an error itself. It records the requests it saw.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

/** Answer with this status and message, or (stall) hold the request open and never answer. */
export type Fault = { status: number; message: string } | { stall: true };

export interface FaultyEngine {
  socket: string;
  /** Method and path of every request, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startFaultyEngine(fault: (method: string, url: string) => Fault | null, upstream = '/var/run/docker.sock'): Promise<FaultyEngine> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-faulty-'));
  const socket = path.join(dir, 'docker.sock');
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const answer = fault(req.method ?? 'GET', req.url ?? '/');
    if (answer && 'stall' in answer) return;
    if (answer) {
      res.writeHead(answer.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: answer.message }));
      return;
    }
    const up = http.request({ socketPath: upstream, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    socket,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
