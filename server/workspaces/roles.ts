import type { MemberRole } from "@/db/schema";

/** What each role may do. A role includes every right of the roles ranked below it. */
const rank = { analyst: 0, marketer: 1, admin: 2 } as const satisfies Record<MemberRole, number>;

export function roleAllows(role: MemberRole, needed: MemberRole): boolean {
  return rank[role] >= rank[needed];
}

export const roleDescriptions = {
  admin: "Everything, including members and API keys",
  marketer: "Builds, publishes and pauses journeys",
  analyst: "Reads journeys and analytics; changes nothing",
} as const satisfies Record<MemberRole, string>;
