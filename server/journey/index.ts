/** The journey engine's public API: pure, isomorphic, no I/O (DESIGN.md rule 1). */
export * from "./schema";
export { validateJourney } from "./validate";
export { compileJourney, CompileError, type Program } from "./compile";
export { orchestrate, timersOf, type JourneyFailure, type StepResult } from "./step";
export * from "./step-types";
export { Simulator, simulate, type SimEvent, type SimLine } from "./simulate";
export { nodeKinds, nodeKindList, isNodeKind, type NodeKind } from "./node-kinds";
export { customerStateSchema, emptyCustomerState, readStoredState, stateFormat, type CustomerState, type Instance } from "./state";
export { journeyTemplates, type JourneyTemplate } from "./templates";
export { conditionSchema, conditionOps, pathRoots, renderTemplate, type Condition, type ConditionScope } from "./conditions";
export { formatDuration, parseDuration } from "./durations";
export { decide, type Posterior } from "@/server/decisions/policies";
