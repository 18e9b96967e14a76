/**
 * Rows to CSV (RFC 4180 quoting) and a browser download. Text that a
 * spreadsheet would run as a formula (starting with = + - @, tab or CR: a
 * journey or customer name is user input) gets a leading apostrophe, as
 * OWASP advises; numbers are left alone.
 */
export function toCsv(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return "";
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) => {
    const raw = v === null || v === undefined ? "" : String(v);
    const s = typeof v === "string" && /^[=+\-@\t\r]/.test(v) ? `'${raw}` : raw;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(","), ...rows.map((r) => cols.map((c) => cell(r[c])).join(","))].join("\n");
}

export function downloadCsv(name: string, rows: Record<string, unknown>[]) {
  const url = URL.createObjectURL(new Blob([toCsv(rows)], { type: "text/csv" }));
  Object.assign(document.createElement("a"), { href: url, download: name }).click();
  URL.revokeObjectURL(url);
}
