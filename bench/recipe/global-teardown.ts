export default async function globalTeardown(): Promise<void> {
  const { containers = [] } = globalThis as { containers?: { stop(): Promise<unknown> }[] };
  await Promise.all(containers.map((container) => container.stop()));
}
