// Images before waits. On a first run (every CI job, every new laptop) the official images are absent,
// and pulling them takes minutes (LocalStack alone is about 1 GB unpacked). Testcontainers would pull
// each silently inside its container's start; then a test file waiting for that service hits its
// runner's hook timeout with nothing printed. So the run pulls what is absent first, in parallel and
// in the open, before any test file starts waiting, and bounds each pull by its progress: it fails
// when nothing has arrived for a while, not after a fixed time.
import { tcInternals, testcontainers } from "./docker";
import { ImagePullError, type PullFailure } from "./errors";

/** One image a run needs, and what needs it (a service, or the reaper). */
export interface NeededImage {
  image: string;
  /** A service's name, or "the reaper". */
  neededBy: string;
}

/** A pull as the engine reports it, layer by layer. */
export interface PullState {
  /** The name pulled, as Testcontainers names it (TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX applied). */
  image: string;
  /** Where from: "Docker Hub" or the registry's host. */
  registry: string;
  /** Layers the engine announced, and how many of them are complete (pulled, or already present). */
  layers: number;
  done: number;
  /** Bytes downloaded so far. */
  received: number;
  /** Bytes to download in all, once every announced layer has said its size. */
  total?: number;
  startedAt: number;
}

/** What a pull tells whoever shows it. */
export interface PullWatcher {
  /** Absent images found, before their pulls start. */
  absent?(images: NeededImage[]): void;
  started?(state: PullState): void;
  progressed?(state: PullState): void;
  finished?(state: PullState): void;
}

/** One line of the engine's pull stream (moby's jsonmessage). */
interface PullEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

interface Layer {
  current: number;
  total?: number;
  done: boolean;
}

/** The pull's state after one more event of the engine's stream. */
export function applyEvent(layers: Map<string, Layer>, event: PullEvent): void {
  const { status = "", id, progressDetail } = event;
  // Lines without a layer id: "Digest: ...", "Status: ..."; "Pulling from X" carries the tag as its id.
  if (!id || status.startsWith("Pulling from")) return;
  const layer = layers.get(id) ?? { current: 0, done: false };
  layers.set(id, layer);
  if (status === "Downloading") {
    layer.current = progressDetail?.current ?? layer.current;
    layer.total = progressDetail?.total ?? layer.total;
  } else if (status === "Download complete" || status === "Verifying Checksum") {
    layer.current = layer.total ?? layer.current;
  } else if (status === "Pull complete" || status === "Already exists") {
    layer.done = true;
  }
}

/** The numbers a pull shows, from its layers. */
export function summarise(
  layers: Map<string, Layer>,
): Pick<PullState, "layers" | "done" | "received" | "total"> {
  const all = [...layers.values()];
  // A layer that is done but never said its size was already present: nothing to download.
  const sizes = all.map((l) => l.total ?? (l.done ? 0 : undefined));
  return {
    layers: all.length,
    done: all.filter((l) => l.done).length,
    received: all.reduce((sum, l) => sum + (l.total !== undefined && l.done ? l.total : l.current), 0),
    total: sizes.every((s) => s !== undefined) ? sizes.reduce((a, b) => a! + b!, 0) : undefined,
  };
}

/** Megabytes, as pull progress shows them. */
export const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * The sentence and fix for a pull the engine or the registry refused, from their message. Docker Hub's
 * rate limit and a refused login each have their own; a stall is reported by `pullImage` itself.
 */
export function explainPullFailure(message: string): { reason: string; fix: string } {
  // dockerode's wording around the engine's own message: "(HTTP code 500) server error - ...".
  const said = message.replace(/^\(HTTP code \d+\)[^-]*- /, "").trim();
  if (/toomanyrequests|rate limit/i.test(said)) {
    return {
      reason: `the registry's pull rate limit refused it: ${said}`,
      fix:
        'log in so that pulls count against your account ("docker login"; Testcontainers reads ' +
        "~/.docker/config.json and DOCKER_AUTH_CONFIG), or pull through a mirror " +
        "(TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX=mirror.example.com/), or wait: anonymous pulls are counted per " +
        "address, which shared CI runners share",
    };
  }
  if (
    /dial tcp|no such host|i\/o timeout|connection refused|network is unreachable|TLS handshake/i.test(said)
  ) {
    return {
      reason: `the engine could not reach the registry: ${said}`,
      fix:
        "check the engine's network and proxy settings, point TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX at a mirror " +
        "it reaches, or load the image another way (docker load) and name it in CAMPAIGN_TESTENV_<SERVICE>_IMAGE",
    };
  }
  if (/unauthori[sz]ed|denied|authentication required|forbidden|docker login/i.test(said)) {
    return {
      reason: `the registry refused the pull: ${said}`,
      fix:
        'log in to that registry ("docker login <registry>", or DOCKER_AUTH_CONFIG) and check the image ' +
        'name: a registry also says "denied" for a repository it does not have',
    };
  }
  if (/manifest unknown|name unknown|not found/i.test(said)) {
    return {
      reason: `the registry has no such image: ${said}`,
      fix: "check the image's name and tag (the option images.<service>, or CAMPAIGN_TESTENV_<SERVICE>_IMAGE)",
    };
  }
  return {
    reason: said,
    fix: "read the engine's reason above; DEBUG=testcontainers* shows Testcontainers' own log of the pull",
  };
}

/**
 * Pulls `image` through the engine, reporting its progress to `watcher`. It fails when no line of
 * progress has come for `stallMs`, or when the engine or the registry refuses; the failure names the
 * image, the registry, what had arrived and the fix.
 */
async function pullImage(needed: NeededImage, stallMs: number, watcher: PullWatcher): Promise<void> {
  const { getContainerRuntimeClient, ImageName } = testcontainers();
  const client = await getContainerRuntimeClient();
  const name = ImageName.fromString(needed.image);
  const state: PullState = {
    image: name.string,
    registry: name.registry ?? "Docker Hub",
    layers: 0,
    done: 0,
    received: 0,
    startedAt: performance.now(),
  };
  const fail = (reason: string, fix: string): never => {
    const failure: PullFailure = { ...needed, image: name.string, registry: state.registry, reason, fix };
    throw new ImagePullError([failure]);
  };
  watcher.started?.(state);
  let stream: NodeJS.ReadableStream;
  try {
    const registry = name.registry ?? client.info.containerRuntime.indexServerAddress;
    const authconfig = await tcInternals().registryAuth(registry);
    stream = await client.container.dockerode.pull(name.string, { authconfig });
  } catch (error) {
    const { json, message } = error as { json?: { message?: string }; message: string };
    const explained = explainPullFailure(json?.message ?? message);
    return fail(explained.reason, explained.fix);
  }
  const layers = new Map<string, Layer>();
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const watch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      destroy(stream);
    }, stallMs);
  };
  let refused: string | undefined;
  /** Reads one line of the stream; false once the engine has refused. */
  const read = (line: string): boolean => {
    if (line.trim() === "") return true;
    const event = JSON.parse(line) as PullEvent;
    if (event.error || event.errorDetail) {
      refused = event.errorDetail?.message ?? event.error;
      return false;
    }
    applyEvent(layers, event);
    Object.assign(state, summarise(layers));
    watcher.progressed?.(state);
    return true;
  };
  watch();
  try {
    // The stream itself, not readline: a stream destroyed on a stall ends its iteration (with
    // ERR_STREAM_PREMATURE_CLOSE), where readline's would wait for good, and the process exit with it.
    let partial = "";
    reading: for await (const chunk of stream) {
      watch();
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (!read(line)) break reading;
    }
    read(partial);
  } catch (error) {
    if (!stalled) throw error;
  } finally {
    clearTimeout(timer);
    destroy(stream);
  }
  if (stalled) {
    const of = state.total === undefined ? "" : ` of ${megabytes(state.total)}`;
    fail(
      `nothing arrived for ${(stallMs / 1000).toFixed(0)} s, after ${megabytes(state.received)}${of} ` +
        `(${state.done} of ${state.layers} layers complete)`,
      "the connection to the registry is slow or stuck: run again; pull ahead of the tests with " +
        '"npx campaign-testenv pull" (a CI step of its own); or allow longer silences with ' +
        "pullStallTimeoutMs / CAMPAIGN_TESTENV_PULL_STALL_TIMEOUT_MS",
    );
  }
  if (refused !== undefined) {
    const explained = explainPullFailure(refused);
    fail(explained.reason, explained.fix);
  }
  watcher.finished?.(state);
}

/** Ends the pull's response (the engine then stops the pull). dockerode types it as a plain stream. */
const destroy = (stream: NodeJS.ReadableStream) =>
  (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();

/** True when the engine has `image` (as Testcontainers names it). */
async function present(image: string): Promise<boolean> {
  const { getContainerRuntimeClient, ImageName } = testcontainers();
  const client = await getContainerRuntimeClient();
  return client.image.exists(ImageName.fromString(image));
}

/**
 * Makes sure the engine has every image in `needed`: absent ones are pulled, all at once, in the open;
 * images already present are never pulled again. Every failed pull is reported together, after the
 * others have ended.
 */
export async function pullAbsent(
  needed: NeededImage[],
  { stallMs, watcher = {} }: { stallMs: number; watcher?: PullWatcher },
): Promise<NeededImage[]> {
  const unique = [...new Map(needed.map((n) => [n.image, n])).values()];
  const absent = (await Promise.all(unique.map(async (n) => ((await present(n.image)) ? [] : [n])))).flat();
  if (absent.length === 0) return [];
  watcher.absent?.(absent);
  const results = await Promise.allSettled(absent.map((n) => pullImage(n, stallMs, watcher)));
  const failures = results.flatMap((r) =>
    r.status === "rejected" && r.reason instanceof ImagePullError ? r.reason.pulls : [],
  );
  const other = results.find((r) => r.status === "rejected" && !(r.reason instanceof ImagePullError));
  if (other) throw (other as PromiseRejectedResult).reason;
  if (failures.length > 0) throw new ImagePullError(failures);
  return absent;
}
