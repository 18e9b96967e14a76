import type { JourneyDocumentInput } from "./schema";

/** Builds a journey document for tests: nodes as [id, kind, config], edges as "from>to" or "from:handle>to". */
export function journey(
  id: string,
  nodes: [string, string, Record<string, unknown>][],
  edges: string[],
  settings: JourneyDocumentInput["settings"] = {},
): JourneyDocumentInput {
  return {
    format: "waymark.journey/v1",
    id,
    name: id,
    settings,
    nodes: nodes.map(([nid, kind, config]) => ({ id: nid, kind, config })),
    edges: edges.map((e) => {
      const [left, to] = e.split(">") as [string, string];
      const [from, handle] = left.split(":") as [string, string | undefined];
      return { from, to, handle: handle ?? "next" };
    }),
  };
}

export const track = (userId: string, event: string, timestamp: string, properties: Record<string, unknown> = {}) => ({ type: "track" as const, userId, event, timestamp, properties });
export const identify = (userId: string, traits: Record<string, unknown>, timestamp: string) => ({ type: "identify" as const, userId, traits, timestamp });
