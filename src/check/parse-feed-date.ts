/**
 * The two date syntaxes of feeds, parsed strictly so that a check can say what is wrong:
 * RFC 822 (RSS, with the RSS Profile's 4-digit year) and RFC 3339 (Atom, JSON Feed).
 */

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** RFC 822 §5.1 zone names, in minutes east of UTC. */
const ZONES: Record<string, number> = {
  UT: 0, GMT: 0, Z: 0, EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
};

export type ParsedDate = { ok: true; date: Date } | { ok: false; reason: string; weekday?: boolean };

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `Wed, 02 Oct 2002 13:00:00 GMT`: English names, 4-digit year, a zone, a weekday that matches. */
export function parseRfc822(value: string): ParsedDate {
  const match =
    /^(?:([A-Za-z]{3}),\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{2,4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s+([A-Za-z]{1,3}|[+-]\d{4})$/.exec(
      value.trim(),
    );
  const example = "a date like Wed, 02 Oct 2002 13:00:00 GMT";
  if (!match) return { ok: false, reason: `expected ${example}` };
  const [, weekday, dayText, monthText, yearText, hourText, minuteText, secondText, zoneText] = match as unknown as string[];
  const month = MONTHS.indexOf(monthText as string) + 1;
  if (month === 0) return { ok: false, reason: "expected an English month name such as Oct" };
  if ((yearText as string).length !== 4) return { ok: false, reason: "expected a 4-digit year (RSS Profile)" };
  const year = Number(yearText);
  const day = Number(dayText);
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = Number(secondText ?? 0);
  if (day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 60) {
    return { ok: false, reason: "expected a real calendar date and time" };
  }
  const zone = zoneText as string;
  let offset: number | undefined;
  if (/^[+-]\d{4}$/.test(zone)) {
    const hours = Number(zone.slice(1, 3));
    const minutes = Number(zone.slice(3, 5));
    if (minutes < 60) offset = (zone.startsWith("-") ? -1 : 1) * (hours * 60 + minutes);
  } else offset = ZONES[zone];
  if (offset === undefined) return { ok: false, reason: `expected GMT or an offset such as +0000, not the zone ${JSON.stringify(zone)}` };
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59)) - offset * 60_000);
  if (weekday !== undefined) {
    const dayIndex = DAYS.indexOf(weekday);
    if (dayIndex === -1) return { ok: false, reason: "expected an English weekday such as Wed" };
    // The weekday belongs to the date as written, in its own zone.
    const written = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
    if (written !== dayIndex) {
      return { ok: false, weekday: true, reason: `${day} ${monthText} ${year} is a ${DAYS[written]}, not a ${weekday}` };
    }
  }
  return { ok: true, date };
}

/** `2025-05-03T06:00:00.000Z`; Atom requires the uppercase T and Z (RFC 4287 §3.3). */
export function parseRfc3339(value: string, options: { uppercase: boolean }): ParsedDate {
  const match = /^(\d{4})-(\d{2})-(\d{2})([Tt])(\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(value.trim());
  const example = "an RFC 3339 date-time like 2025-05-03T06:00:00Z";
  if (!match) return { ok: false, reason: `expected ${example}` };
  const [, y, mo, d, t, h, mi, s, fraction, zone] = match as unknown as string[];
  if (options.uppercase && (t === "t" || zone === "z")) {
    return { ok: false, reason: "expected an uppercase T and Z (RFC 4287 §3.3)" };
  }
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 60) {
    return { ok: false, reason: "expected a real calendar date and time" };
  }
  let offset = 0;
  if (zone !== "Z" && zone !== "z") {
    const hours = Number(zone?.slice(1, 3));
    const minutes = Number(zone?.slice(4, 6));
    if (hours > 23 || minutes > 59) return { ok: false, reason: "expected an offset between -23:59 and +23:59" };
    offset = (zone?.startsWith("-") ? -1 : 1) * (hours * 60 + minutes);
  }
  const millis = fraction ? Math.floor(Number(`0${fraction}`) * 1000) : 0;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), millis) - offset * 60_000);
  return { ok: true, date };
}
