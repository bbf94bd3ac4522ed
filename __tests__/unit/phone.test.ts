import { E164_PATTERN } from "../../fixtures/test-data";
import { normalizePhone } from "../../src/campaign/phone";

const ok = (phone: string) => ({ ok: true, phone });

describe("normalizePhone", () => {
  test("an E.164 number comes back unchanged", () => {
    expect(normalizePhone("+442079460018")).toEqual(ok("+442079460018"));
  });

  test("separators and surrounding blanks are dropped", () => {
    expect(normalizePhone("  +1 (415) 555-0100 ")).toEqual(ok("+14155550100"));
    expect(normalizePhone("+44 20.7946/0018")).toEqual(ok("+442079460018"));
  });

  test("'00' starts an international number like '+'", () => {
    expect(normalizePhone("0044 20 7946 0018")).toEqual(ok("+442079460018"));
    // Even with a default country: 00 is the international prefix, not a trunk zero.
    expect(normalizePhone("0033123456789", { defaultCountryCode: "44" })).toEqual(ok("+33123456789"));
  });

  test("a national number without a default country is rejected: its country is a guess", () => {
    const result = normalizePhone("020 7946 0018");
    expect(result).toMatchObject({ ok: false, reason: "invalid_number" });
    expect(!result.ok && result.detail).toContain("no country code");
  });

  test("a national number takes the default country code and loses its trunk zero", () => {
    expect(normalizePhone("020 7946 0018", { defaultCountryCode: "44" })).toEqual(ok("+442079460018"));
    expect(normalizePhone("20 7946 0018", { defaultCountryCode: "44" })).toEqual(ok("+442079460018"));
  });

  test("North America: 10 digits, or 11 with the leading 1", () => {
    expect(normalizePhone("(415) 555-0100", { defaultCountryCode: "1" })).toEqual(ok("+14155550100"));
    expect(normalizePhone("1-415-555-0100", { defaultCountryCode: "1" })).toEqual(ok("+14155550100"));
    for (const input of ["555-0100", "41555501000", "2-415-555-0100"]) {
      const result = normalizePhone(input, { defaultCountryCode: "1" });
      expect(result).toMatchObject({ ok: false, reason: "invalid_number" });
      expect(!result.ok && result.detail).toContain("10 digits");
    }
  });

  test("empty or blank input is rejected as empty", () => {
    for (const input of ["", "   ", " - ( ) "])
      expect(normalizePhone(input)).toEqual({ ok: false, reason: "invalid_number", detail: "empty" });
  });

  test("letters, a '+' in the middle or other symbols are rejected, quoting the input", () => {
    for (const input of ["+44 20 CALL NOW", "44+2079460018", "+44#2079460018", "+"]) {
      const result = normalizePhone(input);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.detail).toBe(`"${input}" has characters other than digits and separators`);
    }
  });

  test("a country code starting with 0 is rejected", () => {
    const result = normalizePhone("+0442079460018");
    expect(result).toMatchObject({ ok: false, reason: "invalid_number" });
    expect(!result.ok && result.detail).toContain("never starts with 0");
  });

  test("E.164 length: 8 to 15 digits", () => {
    expect(normalizePhone("+1234567")).toMatchObject({
      ok: false,
      detail: expect.stringContaining("too short"),
    });
    expect(normalizePhone("+12345678")).toEqual(ok("+12345678"));
    expect(normalizePhone("+123456789012345")).toEqual(ok("+123456789012345"));
    expect(normalizePhone("+1234567890123456")).toMatchObject({
      ok: false,
      detail: expect.stringContaining("too long"),
    });
  });

  test("every accepted number matches E164_PATTERN and normalises to itself", () => {
    const inputs = [
      "+1 415 555 0100",
      "0044 20 7946 0018",
      "06 12 34 56 78",
      "(030) 1234567",
      "+358 40 1234567",
    ];
    for (const input of inputs) {
      const result = normalizePhone(input, { defaultCountryCode: "33" });
      if (!result.ok) throw new Error(`${input}: ${result.detail}`);
      expect(result.phone).toMatch(E164_PATTERN);
      expect(normalizePhone(result.phone)).toEqual(result);
    }
  });
});
