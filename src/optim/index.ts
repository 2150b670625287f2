/** Update rules (optim.py). */
export * from './optim.js';
export * from './schedules.js';
export * from './optimizers.js';
