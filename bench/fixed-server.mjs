// The fixed-answer API server of bench/lib.mjs, run as a child process (see startFixedServer).
import { createServer } from "node:http";
import { TOKEN } from "./lib.mjs";

const PAGE = JSON.stringify({
  page: 0,
  pageSize: 1,
  totalItems: 1,
  hasNext: false,
  hasPrevious: false,
  contents: [{ id: "1817ec68-e182-4865-8d83-fc13035b4811", name: "Dandelion and Burdock" }],
});

let tokenRequests = 0;
const server = createServer((req, res) => {
  if (req.method === "POST" && req.url === "/idm/v2/token") {
    tokenRequests++;
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify({ access_token: TOKEN, token_type: "bearer", expires_in: 9000 }));
    });
    return;
  }
  if (req.headers.authorization !== `Bearer ${TOKEN}`) {
    res.writeHead(401, { "content-type": "application/json", "www-authenticate": "Bearer" });
    res.end('{"code":"UNAUTHORIZED","message":"no token"}');
    return;
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(PAGE);
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.send({ url: `http://127.0.0.1:${server.address().port}` });
});

process.on("message", (message) => {
  if (message === "count") process.send({ tokenRequests });
  if (message === "close") {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
