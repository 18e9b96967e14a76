/**
 * Steps by the names people see on the canvas (a step's label, else its kind's name), keyed by id. Names two steps
 * share get the id too ("Message (message_2)"), so a trace or a path never reads alike for two different steps.
 */
export function stepNames(steps: { id: string; name: string }[]): Map<string, string> {
  const uses = new Map<string, number>();
  for (const s of steps) uses.set(s.name, (uses.get(s.name) ?? 0) + 1);
  return new Map(steps.map((s) => [s.id, (uses.get(s.name) ?? 0) > 1 ? `${s.name} (${s.id})` : s.name]));
}
