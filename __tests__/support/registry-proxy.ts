// A registry for machines that reach none (this project's): a Docker Engine API proxy between a client
// (the package, Testcontainers, the docker CLI) and the real engine. It answers the pulls of chosen
// official names itself, writing what the engine writes (pull-stream.ts), then tags a local image under
// the official name, so that the image exists from then on. Every other request reaches the engine as
// it came, and its answer comes back as it was sent (HTTP framing aside), hijacked connections too.
// The names are really absent from the engine until then (checked at the start), so the engine itself
// answers their inspects and container creations with its own 404.
import { readFileSync } from "node:fs";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import net, { type Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import type { Duplex } from "node:stream";
import { lock } from "../../src/lock";
import { packageRoot } from "../../src/paths";
import {
  downloaded,
  errorLine,
  FAILURES,
  familiarName,
  fullName,
  parseReference,
  type PullFailure,
  pullTicks,
  type Reference,
  TICK_MS,
  upToDate,
} from "./pull-stream";

/** The local image set (written by `npm run images:build`): what stands in for each official image. */
export function localImages(): Record<string, string> {
  const file = path.join(packageRoot, "images", "local.env");
  const text = (() => {
    try {
      return readFileSync(file, "utf8");
    } catch {
      throw new Error(`${file} is missing: npm run images:build builds the local images the proxy tags`);
    }
  })();
  return Object.fromEntries(
    text.split("\n").flatMap((line) => (line.includes("=") ? [line.split("=")] : [])),
  );
}

/** What a pull of one official name does. */
export type PullBehaviour =
  /** `bytes` fake bytes over `layers` layers in about `seconds`; then `source` is tagged as the name. */
  | { source: string; seconds: number; bytes: number; layers: number }
  /** Starts like a pull and sends nothing more once `stallAfterBytes` are reported, until the client leaves. */
  | { stallAfterBytes: number }
  /** The registry refuses: the engine's HTTP error (the default, as the engine does) or a line in a 200 stream. */
  | { fail: PullFailure; failAs?: "status" | "stream" };

export interface RegistryProxyOptions {
  /** Official names as a user writes them ("postgres:15-alpine"); each must be absent from the engine. */
  images: Record<string, PullBehaviour>;
}

export interface PullRecord {
  /** The key of options.images. */
  image: string;
  /** fromImage and tag as the client sent them. */
  requested: string;
  startedAt: number;
  endedAt?: number;
  /** Unset while the stream is open; "abandoned": the client went away first. */
  outcome?: "pulled" | "failed" | "abandoned";
  /** The fake bytes reported as downloaded. */
  bytes: number;
}

export interface RegistryProxy {
  /** For DOCKER_HOST: tcp://127.0.0.1:PORT. */
  dockerHost: string;
  /** Every pull of a name of options.images, in arrival order. */
  pulls: PullRecord[];
  /** Every container created through the proxy, with the time of its creation request. */
  creations: { name: string; at: number }[];
  openConnections(): number;
  /** Removes the tags the pulls created (only the tags: each source keeps its own); returns their names. */
  removeTags(): Promise<string[]>;
  /** Closes every connection (an open pull ends as "abandoned") and stops listening. */
  stop(): Promise<void>;
}

interface Plan {
  image: string;
  ref: Reference;
  behaviour: PullBehaviour;
}

/** The engine's address as http.request and net.connect take it. */
function engineAt(address: string): { socketPath: string } | { host: string; port: number } {
  const url = new URL(address);
  if (url.protocol === "unix:") return { socketPath: url.pathname };
  if (url.protocol === "tcp:") return { host: url.hostname, port: Number(url.port) };
  throw new Error(`registry proxy: the engine's address ${address} is neither unix:// nor tcp:// (no TLS)`);
}

/** Connection management is each side's own (RFC 9110, 7.6.1). */
const HOP_BY_HOP = /^(connection|keep-alive)$/i;

/** Raw headers ([name, value, ...]) without the names matching `names`. */
const without = (raw: string[], names: RegExp) => raw.filter((_, i) => !names.test(raw[i - (i % 2)]));

/** How long a proxy waits for another one (in another test file) to give the official names back. */
const NAMES_WAIT_MS = 600_000;

export async function startRegistryProxy(options: RegistryProxyOptions): Promise<RegistryProxy> {
  // The engine: DOCKER_HOST (unix:///path or tcp://host:port), else the default socket.
  const address = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
  const engine = engineAt(address);
  // One proxy at a time on this machine: each tags official names on the engine, which another's
  // check (every name absent) would find.
  const names = path.join(os.tmpdir(), "campaign-testenv-registry-proxy");
  const release = await lock(names, NAMES_WAIT_MS);
  if (!release)
    throw new Error(`registry proxy: another proxy held ${names}.lock for ${NAMES_WAIT_MS / 1000} s`);
  try {
    return await listen(engine, address, options, release);
  } catch (error) {
    release();
    throw error;
  }
}

async function listen(
  engine: ReturnType<typeof engineAt>,
  address: string,
  options: RegistryProxyOptions,
  release: () => void,
): Promise<RegistryProxy> {
  /** One request of the proxy's own to the engine. */
  const call = (method: string, path: string) =>
    new Promise<{ status: number; rawHeaders: string[]; body: string }>((resolve, reject) => {
      const request = http.request({ ...engine, method, path, agent: false }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.on("end", () => {
          const body = Buffer.concat(chunks).toString();
          resolve({ status: answer.statusCode ?? 0, rawHeaders: answer.rawHeaders, body });
        });
      });
      request.on("error", reject).end();
    });

  const ping = await call("GET", "/_ping").catch((error: Error) => {
    throw new Error(`registry proxy: no engine answers at ${address} (${error.message})`);
  });
  // The engine's own headers, on the answers the proxy writes itself.
  const identity = ping.rawHeaders.flatMap((name, i) =>
    i % 2 === 0 && /^(api-version|docker-experimental|ostype|server)$/i.test(name)
      ? [name, ping.rawHeaders[i + 1]]
      : [],
  );
  const json = [...identity, "Content-Type", "application/json"];

  const plans = new Map<string, Plan>();
  for (const [image, behaviour] of Object.entries(options.images)) {
    if ((await call("GET", `/images/${image}/json`)).status !== 404)
      throw new Error(
        `registry proxy: ${image} is on the engine already, and its pull would tag another image as it; ` +
          `remove it (docker rmi ${image}) or leave it out of options.images`,
      );
    if ("source" in behaviour && (await call("GET", `/images/${behaviour.source}/json`)).status !== 200)
      throw new Error(
        `registry proxy: ${image}'s source ${behaviour.source} is not on the engine (npm run images:build)`,
      );
    const ref = parseReference(image);
    plans.set(fullName(ref), { image, ref, behaviour });
  }

  const pulls: PullRecord[] = [];
  const tagged: string[] = [];
  const creations: { name: string; at: number }[] = [];
  const sockets = new Set<Socket>();

  async function pull(res: ServerResponse, requested: string, { image, ref, behaviour }: Plan) {
    const record: PullRecord = { image, requested, startedAt: Date.now(), bytes: 0 };
    pulls.push(record);
    const end = (outcome: PullRecord["outcome"]) => {
      record.outcome ??= outcome;
      record.endedAt ??= Date.now();
    };
    if ("fail" in behaviour) {
      const { status, message } = FAILURES[behaviour.fail];
      if ((behaviour.failAs ?? "status") === "status") {
        res.writeHead(status, json).end(`${JSON.stringify({ message: message(ref) })}\n`);
      } else {
        res.writeHead(200, json).end(pullTicks(ref, 1_000_000, 2, 1)[0].lines + errorLine(message(ref)));
      }
      return end("failed");
    }
    const present = (await call("GET", `/images/${image}/json`)).status === 200;
    if (res.destroyed) return end("abandoned");
    res.writeHead(200, json);
    if (present) {
      res.end(upToDate(ref));
      return end("pulled");
    }

    const stall = "stallAfterBytes" in behaviour ? behaviour.stallAfterBytes : Infinity;
    const ticks =
      "source" in behaviour
        ? pullTicks(ref, behaviour.bytes, behaviour.layers, behaviour.seconds)
        : pullTicks(ref, 2 * stall, 2, 2); // reaches the stall halfway, in a second
    const timer = setInterval(step, TICK_MS);
    res.on("close", () => {
      clearInterval(timer);
      end("abandoned"); // unless it ended before
    });
    step();

    function step() {
      const tick = ticks.shift();
      if (tick) {
        res.write(tick.lines);
        record.bytes = tick.downloaded;
        if (tick.downloaded >= stall) clearInterval(timer);
        return;
      }
      clearInterval(timer);
      if (!("source" in behaviour)) return; // a stalled pull never gets here
      // As the engine does, the name exists by the time the stream says so.
      const query = `repo=${encodeURIComponent(familiarName(ref))}&tag=${encodeURIComponent(ref.tag)}`;
      call("POST", `/images/${behaviour.source}/tag?${query}`)
        .then(({ status, body }) => {
          if (status !== 201) throw new Error(`tagging ${behaviour.source} as ${image}: ${status} ${body}`);
          tagged.push(image);
          res.end(downloaded(ref));
          end("pulled");
        })
        .catch((error: Error) => {
          res.end(errorLine(error.message));
          end("failed");
        });
    }
  }

  const withoutOtherReapers = (body: string) => {
    const containers = JSON.parse(body) as { Names: string[]; Labels?: Record<string, string> }[];
    const ours = (names: string[]) =>
      names.some((name) => creations.some((c) => c.name === name.replace(/^\//, "")));
    return JSON.stringify(
      containers.filter((c) => c.Labels?.["org.testcontainers.ryuk"] !== "true" || ours(c.Names)),
    );
  };

  // One agent keeping its connections to the engine: an engine told "Connection: close" closes as soon
  // as it has answered, and a request still ending then fails with EPIPE (1 in 3 `docker exec` here).
  const agent = new http.Agent({ keepAlive: true });

  /** The request to the engine, and the engine's answer back as it comes (rewritten whole if asked). */
  function forward(req: IncomingMessage, res: ServerResponse, rewrite?: (body: string) => string) {
    const headers = without(req.rawHeaders, HOP_BY_HOP);
    const out = http.request({ ...engine, method: req.method, path: req.url, headers, agent });
    out.on("response", (answer) => {
      if (!rewrite || answer.statusCode !== 200) {
        // Headers at once: a client waits on them before its next request (`docker run` on /wait).
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, without(answer.rawHeaders, HOP_BY_HOP));
        res.flushHeaders();
        answer.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      answer.on("data", (chunk: Buffer) => chunks.push(chunk));
      answer.on("end", () => {
        const body = rewrite(Buffer.concat(chunks).toString());
        const kept = without(
          answer.rawHeaders,
          /^(connection|keep-alive|content-length|transfer-encoding)$/i,
        );
        res.writeHead(200, answer.statusMessage, [
          ...kept,
          "Content-Length",
          String(Buffer.byteLength(body)),
        ]);
        res.end(body);
      });
    });
    out.on("error", () => res.destroy());
    res.on("close", () => out.destroy()); // the client left: stop following logs or events
    req.pipe(out);
  }

  const server = http.createServer({ requestTimeout: 0 }, (req, res) => {
    const url = new URL(req.url ?? "/", "http://engine");
    const route = `${req.method} ${url.pathname.replace(/^\/v[0-9.]+\//, "/")}`;
    const [fromImage, tag] = [url.searchParams.get("fromImage"), url.searchParams.get("tag") ?? ""];
    const plan =
      route === "POST /images/create" && fromImage && plans.get(fullName(parseReference(fromImage, tag)));
    if (plan) {
      req.resume();
      return void pull(res, tag ? `${fromImage}:${tag}` : fromImage, plan).catch(() => res.destroy());
    }
    const name = url.searchParams.get("name");
    if (route === "POST /containers/create") creations.push({ name: name ?? "", at: Date.now() });
    // Running Testcontainers reapers not created through this proxy are hidden from container lists:
    // Testcontainers joins any reaper it lists, so on a busy engine it would never start, nor pull, its
    // own; a new user's machine runs none.
    const hide = route === "GET /containers/json";
    forward(req, res, hide ? withoutOtherReapers : undefined);
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  // Attach and exec with `Connection: Upgrade`: the request as it came, then raw bytes both ways.
  server.on("upgrade", (req: IncomingMessage, client: Duplex, head: Buffer) => {
    const upstream = net.connect({
      ...("socketPath" in engine ? { path: engine.socketPath } : engine),
      allowHalfOpen: true,
    });
    const headers = req.rawHeaders.flatMap((value, i) =>
      i % 2 === 0 ? [`${value}: ${req.rawHeaders[i + 1]}`] : [],
    );
    upstream.write([`${req.method} ${req.url} HTTP/${req.httpVersion}`, ...headers, "", ""].join("\r\n"));
    upstream.write(head);
    client.pipe(upstream).pipe(client);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
    client.on("close", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  return {
    dockerHost: `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    pulls,
    creations,
    openConnections: () => sockets.size,
    async removeTags() {
      const removed: string[] = [];
      for (const image of tagged.splice(0)) {
        const inspect = await call("GET", `/images/${image}/json`);
        if (inspect.status === 404) continue;
        // Removing an image's only name removes the image.
        if ((JSON.parse(inspect.body) as { RepoTags: string[] }).RepoTags.length < 2)
          throw new Error(`registry proxy: ${image} is its image's only name now; left in place`);
        const answer = await call("DELETE", `/images/${image}?noprune=1`);
        if (answer.status !== 200)
          throw new Error(`registry proxy: untagging ${image}: ${answer.status} ${answer.body}`);
        removed.push(image);
      }
      return removed;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      release();
    },
  };
}
