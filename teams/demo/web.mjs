// Demo agent "web": stands in for a project's dev server (`npm run dev`). A tiny
// node:http server on $PORT (default 4173) that logs each request. It does not
// check in; the team marks it optional and gives it the port as a resource.
import { createServer } from 'node:http';
import { exitOnSignals, log } from './common.mjs';

const port = Number(process.env.PORT) || 4173;
const started = Date.now();
let requests = 0;

const server = createServer((req, res) => {
  requests += 1;
  const uptime = Math.round((Date.now() - started) / 1000);
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`hello from the muster demo (request ${requests}, up ${uptime}s)\n`);
  log('web', `${req.method} ${req.url} -> 200`);
});

server.on('error', (error) => {
  log('web', `cannot serve on port ${port}: ${error.message}`);
  process.exit(1);
});

server.listen(port, () => log('web', `listening on http://localhost:${port}`));
exitOnSignals('web', () => server.close());
