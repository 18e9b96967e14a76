import { journeyDocumentSchema, type JourneyDocument } from "../schema";
import abandonedCart from "./abandoned-cart.json";
import churnPrevention from "./churn-prevention.json";
import crossSell from "./cross-sell.json";
import onboarding from "./onboarding.json";

export type JourneyTemplate = { id: string; name: string; description: string; document: JourneyDocument };

/** The four starting points offered in "New journey" and seeded into the demo workspace. */
export const journeyTemplates: JourneyTemplate[] = [abandonedCart, onboarding, churnPrevention, crossSell].map((raw) => {
  const document = journeyDocumentSchema.parse(raw);
  return { id: document.id, name: document.name, description: document.description ?? "", document };
});
