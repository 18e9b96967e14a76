import { journeyDocumentSchema, type JourneyDocument } from "../schema";
import abandonedCart from "./abandoned-cart.json" with { type: "json" };
import churnPrevention from "./churn-prevention.json" with { type: "json" };
import crossSell from "./cross-sell.json" with { type: "json" };
import onboarding from "./onboarding.json" with { type: "json" };

export type JourneyTemplate = { id: string; name: string; description: string; document: JourneyDocument };

/** The four starting points offered in "New journey" and seeded into the demo workspace. */
export const journeyTemplates: JourneyTemplate[] = [abandonedCart, onboarding, churnPrevention, crossSell].map((raw) => {
  const document = journeyDocumentSchema.parse(raw);
  return { id: document.id, name: document.name, description: document.description ?? "", document };
});
