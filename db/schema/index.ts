export * from "./workspaces";
export * from "./journeys";
export * from "./events";
export * from "./runtime";
