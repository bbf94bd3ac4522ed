// What a Docker engine writes for a pull (POST /images/create), as moby v20.10.24 writes it (this
// machine's engine), for the registry proxy (registry-proxy.ts) and for tests of anything that reads it.
// - One JSON object per line, each ending "\r\n" (pkg/streamformatter), fields in pkg/jsonmessage's
//   order: status, progressDetail, progress, id. A layer's id is the first 12 hex digits of its blob
//   digest (distribution/pull_v2.go, ID()).
// - "Pulling from library/postgres" with the tag as id; per layer "Pulling fs layer", then "Waiting"
//   beyond the 3 concurrent downloads (distribution/xfer/download.go), "Downloading" with
//   progressDetail {current, total} and its bar, "Verifying Checksum", "Download complete",
//   "Extracting" (the same sizes), "Pull complete"; then "Digest: sha256:..." and "Status: Downloaded
//   newer image for postgres:15-alpine" (distribution/pull_v2.go).
// - An error found before the first line becomes the HTTP status with {"message"}; after it, an
//   {"errorDetail","error"} line in the 200 stream (api/server/router/image/image_routes.go,
//   postImagesCreate: `if !output.Flushed() { return err }`). A registry refuses a pull at the tag's
//   manifest, which the engine fetches before "Pulling from": the HTTP status (see FAILURES).
import { createHash } from "node:crypto";

export type PullFailure = "toomanyrequests" | "unauthorized" | "notfound";

/** An image name as the engine reads it (docker.io/library/ for a bare name, "latest" for no tag). */
export interface Reference {
  domain: string;
  path: string;
  tag: string;
}

export function parseReference(image: string, tag = ""): Reference {
  const colon = image.lastIndexOf(":");
  const tagged = colon > image.lastIndexOf("/");
  const repository = tagged ? image.slice(0, colon) : image;
  const [first, ...rest] = repository.split("/");
  const hasDomain = rest.length > 0 && (/[.:]/.test(first) || first === "localhost");
  const domain = !hasDomain || first === "index.docker.io" ? "docker.io" : first;
  const path = hasDomain ? rest.join("/") : repository;
  return {
    domain,
    path: domain === "docker.io" && !path.includes("/") ? `library/${path}` : path,
    tag: tag || (tagged ? image.slice(colon + 1) : "latest"),
  };
}

export const fullName = (ref: Reference) => `${ref.domain}/${ref.path}:${ref.tag}`;
/** The name as the engine's messages write it: "postgres", "ghcr.io/ferretdb/ferretdb". */
export const familiarName = (ref: Reference) =>
  ref.domain === "docker.io" ? ref.path.replace(/^library\//, "") : `${ref.domain}/${ref.path}`;

/**
 * The engine's message for each refusal, and its HTTP status. Found in moby v20.10.24 (unchanged on
 * main): the registry's error code goes through distribution/errors.go TranslatePullError; DENIED and
 * MANIFEST_UNKNOWN become notFoundError (404, its wording), anything else errdefs.Unknown (500, "code:
 * the registry's message"). Docker Hub's 401 for a private or missing repository carries
 * `error="insufficient_scope"`, which the registry client reads as DENIED (vendor/github.com/docker/
 * distribution/registry/client/errors.go, HandleErrorResponse). The rate limit's wording is Docker
 * Hub's since 2025 (a 500 with it: CommunityToolkit/Aspire#556); it was "You have reached your pull
 * rate limit. You may increase the limit by authenticating and upgrading: https://...".
 */
export const FAILURES: Record<PullFailure, { status: number; message: (ref: Reference) => string }> = {
  toomanyrequests: {
    status: 500,
    message: () =>
      "toomanyrequests: You have reached your unauthenticated pull rate limit. https://www.docker.com/increase-rate-limit",
  },
  unauthorized: {
    status: 404,
    message: (ref) =>
      `pull access denied for ${familiarName(ref)}, repository does not exist or may require 'docker login': ` +
      "denied: requested access to the resource is denied",
  },
  notfound: {
    status: 404,
    message: (ref) =>
      `manifest for ${familiarName(ref)}:${ref.tag} not found: manifest unknown: manifest unknown`,
  },
};

/** go-units' HumanSize: decimal units, 4 significant digits. */
function humanSize(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let i = 0;
  for (; bytes >= 1000 && i < units.length - 1; i++) bytes /= 1000;
  return `${Number(bytes.toPrecision(4))}${units[i]}`;
}

/** The engine's "progress" text beside progressDetail (pkg/jsonmessage JSONProgress.String, 200 columns). */
export function progressText(current: number, total: number): string {
  const filled = Math.min(50, Math.floor(Math.floor((current / total) * 100) / 2));
  const done = humanSize(current).padStart(8);
  return `[${"=".repeat(filled)}>${" ".repeat(50 - filled)}] ${current > total ? done : `${done}/${humanSize(total)}`}`;
}

const line = (message: object) => `${JSON.stringify(message)}\r\n`;
const status = (text: string, id?: string) => line(id ? { status: text, id } : { status: text });
const update = (status: string, id: string) => line({ status, progressDetail: {}, id });
const progress = (status: string, id: string, current: number, total: number) =>
  line({ status, progressDetail: { current, total }, progress: progressText(current, total), id });
export const errorLine = (message: string) => line({ errorDetail: { message }, error: message });

const digest = (ref: Reference) =>
  status(`Digest: sha256:${createHash("sha256").update(fullName(ref)).digest("hex")}`);
/** The last lines of a pull that downloaded the image. */
export const downloaded = (ref: Reference) =>
  digest(ref) + status(`Status: Downloaded newer image for ${familiarName(ref)}:${ref.tag}`);
/** A pull of an image the engine has: no layer lines (distribution/pull_v2.go, pullSchema2). */
export const upToDate = (ref: Reference) =>
  status(`Pulling from ${ref.path}`, ref.tag) +
  digest(ref) +
  status(`Status: Image is up to date for ${familiarName(ref)}:${ref.tag}`);

export const TICK_MS = 250;
const MAX_DOWNLOADS = 3; // the engine's default max-concurrent-downloads

export interface Tick {
  lines: string;
  /** Bytes downloaded by the end of this tick, over all layers. */
  downloaded: number;
}

/**
 * A pull's lines, one tick per TICK_MS (the first written at once), up to the layers' "Pull complete".
 * Downloads run 3 at a time and a layer is extracted once it and the layers below it are; every tick
 * shares the same work among the layers that can move, so the pull lasts `seconds` at a steady rate.
 */
export function pullTicks(ref: Reference, bytes: number, layerCount: number, seconds: number): Tick[] {
  const weights = Array.from({ length: layerCount }, (_, i) => layerCount - i); // the base layer is the biggest
  const sum = weights.reduce((a, b) => a + b, 0);
  const layers = weights.map((weight, i) => ({
    id: createHash("sha256")
      .update(`${fullName(ref)} layer ${i}`)
      .digest("hex")
      .slice(0, 12),
    size: Math.floor((bytes * weight) / sum),
    downloaded: 0,
    extracted: 0,
  }));
  layers[0].size += bytes - layers.reduce((total, layer) => total + layer.size, 0);
  if (layers.some((layer) => layer.size < 1))
    throw new Error(`${bytes} bytes cannot fill ${layerCount} layers`);

  const first = [
    status(`Pulling from ${ref.path}`, ref.tag),
    ...layers.map((layer) => update("Pulling fs layer", layer.id)),
    ...layers.slice(MAX_DOWNLOADS).map((layer) => update("Waiting", layer.id)),
  ];
  const ticks: Tick[] = [{ lines: first.join(""), downloaded: 0 }];
  const work = Math.ceil((2 * bytes) / Math.max(1, Math.round((seconds * 1000) / TICK_MS)));
  while (layers.some((layer) => layer.extracted < layer.size)) {
    const before = layers.map((layer) => ({ ...layer }));
    for (let left = work; left > 0;) {
      const next = layers.find((layer) => layer.extracted < layer.size);
      const lanes = [
        ...(next && next.downloaded === next.size ? [{ layer: next, part: "extracted" as const }] : []),
        ...layers
          .filter((layer) => layer.downloaded < layer.size)
          .slice(0, MAX_DOWNLOADS)
          .map((layer) => ({ layer, part: "downloaded" as const })),
      ];
      if (lanes.length === 0) break;
      const share = Math.max(1, Math.floor(left / lanes.length));
      for (const { layer, part } of lanes) {
        const step = Math.min(share, layer.size - layer[part], left);
        layer[part] += step;
        left -= step;
      }
    }
    const lines = layers.flatMap(({ id, size, downloaded, extracted }, i) => [
      ...(downloaded > before[i].downloaded ? [progress("Downloading", id, downloaded, size)] : []),
      ...(downloaded === size && before[i].downloaded < size
        ? [update("Verifying Checksum", id), update("Download complete", id)]
        : []),
      ...(extracted > before[i].extracted ? [progress("Extracting", id, extracted, size)] : []),
      ...(extracted === size && before[i].extracted < size ? [update("Pull complete", id)] : []),
    ]);
    ticks.push({
      lines: lines.join(""),
      downloaded: layers.reduce((total, layer) => total + layer.downloaded, 0),
    });
  }
  return ticks;
}
