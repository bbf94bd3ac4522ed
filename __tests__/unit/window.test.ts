import { isInsideCallingWindow, localSecondOfDay, secondOfDay } from "../../src/campaign/window";

const at = (iso: string) => new Date(iso);

describe("secondOfDay", () => {
  test("HH:MM and HH:MM:SS, as PostgreSQL writes a time", () => {
    expect(secondOfDay("00:00")).toBe(0);
    expect(secondOfDay("09:00")).toBe(9 * 3600);
    expect(secondOfDay("21:30:15")).toBe(21 * 3600 + 30 * 60 + 15);
    expect(secondOfDay("24:00:00")).toBe(86_400);
  });
});

describe("localSecondOfDay", () => {
  test("UTC is the instant's own time of day, midnight included as 0", () => {
    expect(localSecondOfDay(at("2024-06-01T00:00:00Z"), "UTC")).toBe(0);
    expect(localSecondOfDay(at("2024-06-01T13:45:30Z"), "UTC")).toBe(13 * 3600 + 45 * 60 + 30);
    expect(localSecondOfDay(at("2024-06-01T23:59:59Z"), "UTC")).toBe(86_399);
  });

  test("fixed offsets, including a half-hour and a negative one", () => {
    expect(localSecondOfDay(at("2024-06-01T12:00:00Z"), "Asia/Kolkata")).toBe(17 * 3600 + 30 * 60);
    expect(localSecondOfDay(at("2024-06-01T12:00:00Z"), "America/Phoenix")).toBe(5 * 3600);
  });

  test("daylight saving time: the same UTC hour is a different local hour in winter and summer", () => {
    expect(localSecondOfDay(at("2024-01-15T14:00:00Z"), "America/New_York")).toBe(9 * 3600);
    expect(localSecondOfDay(at("2024-07-15T14:00:00Z"), "America/New_York")).toBe(10 * 3600);
    expect(localSecondOfDay(at("2024-01-15T12:00:00Z"), "Europe/London")).toBe(12 * 3600);
    expect(localSecondOfDay(at("2024-07-15T12:00:00Z"), "Europe/London")).toBe(13 * 3600);
  });

  test("across the spring-forward gap in New York (02:00 EST becomes 03:00 EDT)", () => {
    expect(localSecondOfDay(at("2024-03-10T06:59:59Z"), "America/New_York")).toBe(3600 + 59 * 60 + 59);
    expect(localSecondOfDay(at("2024-03-10T07:00:00Z"), "America/New_York")).toBe(3 * 3600);
  });

  test("an unknown time zone throws", () => {
    expect(() => localSecondOfDay(new Date(), "Mars/Olympus_Mons")).toThrow(RangeError);
  });
});

describe("isInsideCallingWindow", () => {
  const window = { start: "09:00", end: "21:00", timeZone: "America/New_York" };

  test("start is inside, end is outside: [start, end)", () => {
    // 2024-07-15: New York is UTC-4.
    expect(isInsideCallingWindow(at("2024-07-15T12:59:59Z"), window)).toBe(false);
    expect(isInsideCallingWindow(at("2024-07-15T13:00:00Z"), window)).toBe(true);
    expect(isInsideCallingWindow(at("2024-07-16T00:59:59Z"), window)).toBe(true);
    expect(isInsideCallingWindow(at("2024-07-16T01:00:00Z"), window)).toBe(false);
  });

  test("the contact's zone decides, not UTC", () => {
    const instant = at("2024-07-15T10:00:00Z"); // 06:00 in New York, 19:00 in Tokyo
    expect(isInsideCallingWindow(instant, window)).toBe(false);
    expect(isInsideCallingWindow(instant, { ...window, timeZone: "Asia/Tokyo" })).toBe(true);
  });

  test("the window follows daylight saving time", () => {
    // 13:30 UTC is 08:30 EST in January (outside) and 09:30 EDT in July (inside).
    expect(isInsideCallingWindow(at("2024-01-15T13:30:00Z"), window)).toBe(false);
    expect(isInsideCallingWindow(at("2024-07-15T13:30:00Z"), window)).toBe(true);
  });

  test("seconds in the bounds count, and '24:00' ends the window at midnight", () => {
    const utc = { start: "08:00:30", end: "24:00", timeZone: "UTC" };
    expect(isInsideCallingWindow(at("2024-07-15T08:00:29Z"), utc)).toBe(false);
    expect(isInsideCallingWindow(at("2024-07-15T08:00:30Z"), utc)).toBe(true);
    expect(isInsideCallingWindow(at("2024-07-15T23:59:59Z"), utc)).toBe(true);
    expect(isInsideCallingWindow(at("2024-07-16T00:00:00Z"), utc)).toBe(false);
  });
});
