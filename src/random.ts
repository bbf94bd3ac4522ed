import { randomBytes } from "node:crypto";

/** A random credential or id, safe in URLs, shell commands and identifiers: [a-z0-9]. */
export function randomToken(length = 24): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join("");
}
