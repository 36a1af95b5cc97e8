export * from './commands.js';
export * from './snapshot.js';
export * from './bridge.js';
export * from './energy.js';
export * from './price-units.js';
export * from './maintenance.js';
export * from './languages.js';
