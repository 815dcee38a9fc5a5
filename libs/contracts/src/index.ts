export * from './topics';
export * from './headers';
export * from './events';
export * from './identity';
export * from './lead-columns';
export * from './storable-text';
