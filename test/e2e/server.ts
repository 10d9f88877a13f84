/**
 * A tiny static file server for a built site: 127.0.0.1, port 0, gzip when asked (to measure
 * what a real host would transfer). Test and bench helper only.
 */
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, normalize } from "node:path";
import { gzipSync } from "node:zlib";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};

export interface StaticServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export function serveStatic(root: string, options: { gzip?: boolean } = {}): Promise<StaticServer> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    let file = normalize(join(root, path));
    if (!file.startsWith(normalize(root))) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file)) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const type = TYPES[extname(file)] ?? "application/octet-stream";
    if (options.gzip && /gzip/.test(String(req.headers["accept-encoding"] ?? ""))) {
      const body = gzipSync(readFileSync(file), { level: 6 });
      res.writeHead(200, { "content-type": type, "content-encoding": "gzip", "content-length": body.length });
      res.end(body);
      return;
    }
    res.writeHead(200, { "content-type": type, "content-length": statSync(file).size });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        server,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
