import type { Config } from "tailwindcss";

/**
 * Waymark's theme. Tailwind v4 reads this file through `@config` in
 * app/globals.css. Product colours have names (brand, ink, surface, and one per
 * node family) so components say what they mean, not which hex they use.
 */
export default {
  content: ["./app/**/*.{ts,tsx}", "./components/**/*.{ts,tsx}"],
  theme: {
    extend: {
      colors: {
        brand: {
          50: "#eef4ff",
          100: "#dbe6fe",
          200: "#bfd3fe",
          300: "#93b4fd",
          400: "#608bfa",
          500: "#3b64f6",
          600: "#2545eb",
          700: "#1d35d8",
          800: "#1e2daf",
          900: "#1e2b8a",
          950: "#171d54",
        },
        ink: { DEFAULT: "#0f172a", soft: "#334155", muted: "#64748b", faint: "#94a3b8" },
        surface: { DEFAULT: "#ffffff", sunken: "#f6f7fb", line: "#e4e7ef" },
        trigger: "#059669",
        negative: "#dc2626",
        guardrail: "#d97706",
        flow: "#7c3aed",
        message: "#2563eb",
        decision: "#db2777",
      },
      fontFamily: {
        sans: ["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
        mono: ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
      },
      boxShadow: { card: "0 1px 2px rgba(15,23,42,.06), 0 1px 3px rgba(15,23,42,.08)" },
    },
  },
} satisfies Config;
