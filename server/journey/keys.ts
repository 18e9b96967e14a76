/**
 * Effect and timer keys, `${instance id}:${seq}:${what}`, built with one concatenation: the suffix `:${seq}:${what}`
 * comes from a table (made once per seq; an instance rarely passes more than a few dozen transitions). A template
 * literal of the five parts made four strings per key, three of them only to be joined, and a step of a new customer
 * builds half a dozen keys. The text is the same.
 */
export class SeqKeys {
  private readonly suffixes: string[] = [];
  /** `what` empty: keys `${id}:${seq}`. */
  constructor(private readonly what: string) {}
  /** `${id}:${seq}:${what}`. */
  key(id: string, seq: number): string {
    const what = this.what;
    if (!(seq >= 0 && seq < 1024 && Math.floor(seq) === seq)) return what ? `${id}:${seq}:${what}` : `${id}:${seq}`;
    const suffixes = this.suffixes;
    // Filled in order up to seq: a packed array.
    while (suffixes.length <= seq) suffixes.push(what ? `:${suffixes.length}:${what}` : `:${suffixes.length}`);
    return id + suffixes[seq]!;
  }
}

export const nodeKeys = new SeqKeys("node");
export const messageKeys = new SeqKeys("message");
/** `${text}:${n}`: timer keys (`${instance id}:${seq}`) and instance ids (`${journey}:${customer}:${entries}`). */
export const countKeys = new SeqKeys("");
