/**
 * `list` with `item` at its end: pushed, or for an empty list a new one-element array, to be stored in its place.
 * A push onto an empty array makes a backing store of 17 slots (V8 grows it by half plus 16), and the engine's state
 * holds lists that mostly stay short (a new customer's one instance, one snapshot, one message sent, a path of a few
 * steps): every step of a new customer allocated a kilobyte of empty slots. The caller must own the list, as
 * orchestrate owns its copy of the state.
 */
export function append<T>(list: T[], item: T): T[] {
  if (list.length === 0) return [item];
  list.push(item);
  return list;
}
