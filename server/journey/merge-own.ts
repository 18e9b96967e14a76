/**
 * Object.assign(target, source) for data (traits): each own key of `source` becomes an own property of `target`,
 * "__proto__" included. Object.assign sets a "__proto__" key (JSON.parse makes it an own key) through the prototype
 * setter instead, which replaced the customer's traits' prototype, so that within that step conditions and templates
 * read traits that were not the customer's own (`traits.vip` from `{"__proto__": {"vip": true}}`), until the state
 * was next copied or stored. Returns `target`.
 */
export function mergeOwn(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(source)) {
    if (key === "__proto__") Object.defineProperty(target, key, { value: source[key], writable: true, enumerable: true, configurable: true });
    else target[key] = source[key];
  }
  return target;
}
