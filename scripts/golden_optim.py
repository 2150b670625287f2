"""Golden values for test/optim/optim.test.ts: CS231n's optim.py update rules on the assignment's inputs.

Run: python3 scripts/golden_optim.py  (writes test/golden/optim.json)
"""
import json
import numpy as np


def sgd_momentum(w, dw, c):
    v = c['momentum'] * c['velocity'] - c['learning_rate'] * dw
    return w + v, v


def rmsprop(w, dw, c):
    cache = c['decay_rate'] * c['cache'] + (1 - c['decay_rate']) * dw ** 2
    return w - c['learning_rate'] * dw / (np.sqrt(cache) + c['epsilon']), cache


def adam(w, dw, c):
    t = c['t'] + 1
    m = c['beta1'] * c['m'] + (1 - c['beta1']) * dw
    v = c['beta2'] * c['v'] + (1 - c['beta2']) * dw ** 2
    mb = m / (1 - c['beta1'] ** t)
    vb = v / (1 - c['beta2'] ** t)
    return w - c['learning_rate'] * mb / (np.sqrt(vb) + c['epsilon']), m, v, t


N, D = 4, 5
w = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
dw = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)
a = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
b = np.linspace(0.7, 0.5, num=N * D).reshape(N, D)

out = {'w': w.tolist(), 'dw': dw.tolist(), 'a': a.tolist(), 'b': b.tolist()}
nw, v = sgd_momentum(w, dw, {'learning_rate': 1e-3, 'momentum': 0.9, 'velocity': a})
out['sgdMomentum'] = {'nextW': nw.tolist(), 'velocity': v.tolist()}
nw, cache = rmsprop(w, dw, {'learning_rate': 1e-2, 'decay_rate': 0.99, 'epsilon': 1e-8, 'cache': a})
out['rmsprop'] = {'nextW': nw.tolist(), 'cache': cache.tolist()}
nw, m, v, t = adam(w, dw, {'learning_rate': 1e-2, 'beta1': 0.9, 'beta2': 0.999, 'epsilon': 1e-8,
                          'm': b, 'v': a, 't': 5})
out['adam'] = {'nextW': nw.tolist(), 'm': m.tolist(), 'v': v.tolist(), 't': t}
# Several steps of Adam from zero state, on a quadratic, to exercise the bias correction from t = 1.
ww = w.copy(); m = np.zeros_like(w); v = np.zeros_like(w); t = 0
for _ in range(3):
    ww, m, v, t = adam(ww, 2 * ww, {'learning_rate': 1e-1, 'beta1': 0.9, 'beta2': 0.999, 'epsilon': 1e-8,
                                     'm': m, 'v': v, 't': t})
out['adamQuadratic3'] = ww.tolist()

with open('test/golden/optim.json', 'w') as f:
    json.dump(out, f)
