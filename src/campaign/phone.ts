export type PhoneResult =
  { ok: true; phone: string } | { ok: false; reason: "invalid_number"; detail: string };

export interface PhoneOptions {
  /**
   * Country calling code ("1", "44") for numbers written without one (no '+' or '00'). Without it such
   * numbers are rejected: which country they belong to is a guess.
   */
  defaultCountryCode?: string;
}

// Spaces, dashes, dots, slashes and brackets are how people write numbers; they carry no digits.
const SEPARATORS = /[\s\-./()]/g;

/**
 * Turns a number as people write it into E.164 ('+' and 8 to 15 digits, no leading zero), or says why
 * it cannot. '+' and '00' start an international number; anything else is national to the default
 * country, where a trunk '0' (or North America's '1') is dropped. An E.164 input comes back unchanged.
 */
export function normalizePhone(input: string, { defaultCountryCode }: PhoneOptions = {}): PhoneResult {
  const compact = input.trim().replace(SEPARATORS, "");
  if (compact === "") return invalid("empty");
  if (!/^\+?[0-9]+$/.test(compact))
    return invalid(`"${input}" has characters other than digits and separators`);

  let digits: string;
  if (compact.startsWith("+")) digits = compact.slice(1);
  else if (compact.startsWith("00")) digits = compact.slice(2);
  else if (defaultCountryCode === undefined) {
    return invalid(`"${input}" has no country code (start it with + and the country code)`);
  } else {
    const national = nationalNumber(compact, defaultCountryCode);
    if (defaultCountryCode === "1" && national.length !== 10) {
      return invalid(`"${input}": a North American number has 10 digits`);
    }
    digits = defaultCountryCode + national;
  }

  const phone = `+${digits}`;
  if (digits.startsWith("0")) return invalid(`${phone}: a country code never starts with 0`);
  if (digits.length < 8) return invalid(`${phone}: too short for E.164 (8 to 15 digits)`);
  if (digits.length > 15) return invalid(`${phone}: too long for E.164 (8 to 15 digits)`);
  return { ok: true, phone };
}

function nationalNumber(digits: string, countryCode: string): string {
  if (countryCode === "1") return digits.length === 11 && digits.startsWith("1") ? digits.slice(1) : digits;
  return digits.startsWith("0") ? digits.slice(1) : digits;
}

function invalid(detail: string): PhoneResult {
  return { ok: false, reason: "invalid_number", detail };
}
