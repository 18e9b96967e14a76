import { journeyDocumentSchema } from "@/server/journey";

/**
 * A valid journey of exactly 300 steps and 400 connections: a trigger, then 31
 * branch diamonds (branch → two messages → wait: 4 steps, 5 connections) and
 * 35 three-way splits (split → three messages → wait: 5 steps, 7 connections),
 * each unit's wait leading to the next unit, laid out in rows.
 */
export function bigJourney() {
  const nodes: { id: string; kind: string; config: Record<string, unknown>; position: { x: number; y: number } }[] = [];
  const edges: { from: string; to: string; handle?: string }[] = [];
  nodes.push({ id: "t", kind: "trigger", config: { event: "cart_abandoned" }, position: { x: 0, y: 0 } });
  let prev = "t";
  for (let u = 0; u < 66; u++) {
    const three = u % 2 === 1 || u >= 62; // 35 splits, 31 branches
    const x0 = (u % 8) * 900 + 260;
    const y0 = Math.floor(u / 8) * 520;
    const head = `${three ? "split" : "branch"}_${u}`;
    const handles = three ? ["a", "b", "c"] : ["vip", "else"];
    nodes.push({
      id: head,
      kind: three ? "split" : "branch",
      config: three ? { variants: [{ handle: "a", percent: 34 }, { handle: "b", percent: 33 }, { handle: "c", percent: 33 }] } : { cases: [{ handle: "vip", when: { path: "event.properties.total", op: "gte", value: 100 + u } }] },
      position: { x: x0, y: y0 + 130 },
    });
    edges.push({ from: prev, to: head });
    const wait = `wait_${u}`;
    handles.forEach((h, i) => {
      const id = `msg_${u}_${h}`;
      nodes.push({ id, kind: "message", config: { channel: i === 0 ? "email" : i === 1 ? "sms" : "push", subject: "Your cart", template: `Hi {{traits.firstName}}, step ${u}` }, position: { x: x0 + 270, y: y0 + i * 150 } });
      edges.push({ from: head, to: id, handle: h });
      edges.push({ from: id, to: wait });
    });
    nodes.push({ id: wait, kind: "wait", config: { for: `PT${(u % 23) + 1}H` }, position: { x: x0 + 540, y: y0 + 130 } });
    prev = wait;
  }
  return journeyDocumentSchema.parse({ format: "waymark.journey/v1", id: "bench-300", name: "Bench: 300 steps", nodes, edges });
}

