/** Update rules (optim.py). */
export * from './optim.js';
