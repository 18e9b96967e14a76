/** The part of jstat (no published types) Waymark uses. It is CommonJS: import its default (module.exports), which works under Node's ESM loader, tsx, vitest and Next alike. */
declare module "jstat" {
  type JStat = {
    normal: { cdf(x: number, mean: number, sd: number): number; inv(p: number, mean: number, sd: number): number };
  };
  const jstat: JStat & { jStat: JStat };
  export default jstat;
}
