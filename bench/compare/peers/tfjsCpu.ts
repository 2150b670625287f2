/** TensorFlow.js with its pure-JavaScript CPU backend (@tensorflow/tfjs-backend-cpu), one thread. */
import { makeTfjsPeer } from './tfjs.js';

// Plain autodiff: tfjs-cpu's transpose is slow enough that explicit transposes lose (measured 1.7 s vs 0.45 s/step on fc2).
export default makeTfjsPeer('cpu', 'tfjs-cpu', { explicitTransposes: false });
