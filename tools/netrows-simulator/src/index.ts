export {
  createNetrowsSimulator,
  simulatorFaultsSchema,
  NO_FAULTS,
  type NetrowsSimulator,
  type NetrowsSimulatorOptions,
  type Purchase,
  type SimulatorFaults,
} from './simulator';
export type { CallCounters, KeyStats, SimulatorStats } from './accounting';
export { simulatorOptionsFromEnv, SimulatorConfigError } from './simulator.config';
export { NetrowsDataset } from './dataset';
export { emailUsername, parseEmailUsername, domainToHandle, handleToDomain } from './identifiers';
