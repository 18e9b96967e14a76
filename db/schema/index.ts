export * from "./workspaces";
export * from "./journeys";
