/** A campaign's calling window: local wall-clock [start, end) in an IANA time zone. */
export interface CallingWindow {
  /** 'HH:MM' or 'HH:MM:SS', as PostgreSQL returns a `time`. */
  start: string;
  /** Same; '24:00' is the end of the day. */
  end: string;
  timeZone: string;
}

// Building a formatter costs far more than using one; the call path asks for the same few zones.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Seconds since local midnight at `instant` in `timeZone`, daylight saving time included. */
export function localSecondOfDay(instant: Date, timeZone: string): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, format);
  }
  const parts = format.formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)!.value);
  return part("hour") * 3600 + part("minute") * 60 + part("second");
}

/** 'HH:MM[:SS]' to seconds since midnight. */
export function secondOfDay(time: string): number {
  const [hours, minutes, seconds = 0] = time.split(":").map(Number);
  return hours * 3600 + minutes * 60 + seconds;
}

export function isInsideCallingWindow(instant: Date, window: CallingWindow): boolean {
  const local = localSecondOfDay(instant, window.timeZone);
  return local >= secondOfDay(window.start) && local < secondOfDay(window.end);
}
