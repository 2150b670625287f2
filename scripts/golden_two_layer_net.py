#!/usr/bin/env python3
"""The course's toy two-layer net check (assignment 1, two_layer_net.ipynb with neural_net.py, 2017-2019),
recomputed in numpy float64 (run by hand; tests never run Python):

    python3 scripts/golden_two_layer_net.py   -> writes test/golden/two_layer_net.json

The arrays are the notebook's own: init_toy_model() seeds numpy with 0 and draws W1 (4, 10) and W2 (10, 3) as
std * np.random.randn with std = 1e-1 (biases zero); init_toy_data() seeds with 1 and draws X = 10 * randn(5, 4),
y = [0, 1, 2, 2, 1]. The notebook prints correct_scores and correct_loss = 1.30378789133 for reg = 0.05 and
checks |loss - correct_loss| (it reports ~1.8e-13). neural_net.py adds reg * (sum W1^2 + sum W2^2), so its
reg 0.05 is reg 0.1 for nabla's TwoLayerNet, whose penalty is 0.5 * reg * sum W^2 (fc_net.py's convention).
JSON floats are written with repr, so every float64 round-trips exactly.
"""
import json
import os

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'test', 'golden', 'two_layer_net.json')

input_size, hidden_size, num_classes, num_inputs = 4, 10, 3, 5
std = 1e-1

np.random.seed(0)
W1 = std * np.random.randn(input_size, hidden_size)
b1 = np.zeros(hidden_size)
W2 = std * np.random.randn(hidden_size, num_classes)
b2 = np.zeros(num_classes)

np.random.seed(1)
X = 10 * np.random.randn(num_inputs, input_size)
y = np.array([0, 1, 2, 2, 1])

# neural_net.py's forward pass and loss, in float64.
reg = 0.05
hidden = np.maximum(0, X.dot(W1) + b1)
scores = hidden.dot(W2) + b2
shifted = scores - scores.max(axis=1, keepdims=True)
probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
loss = -np.log(probs[np.arange(num_inputs), y]).mean() + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

# Its gradients (the notebook checks them against numeric ones).
dscores = probs.copy()
dscores[np.arange(num_inputs), y] -= 1
dscores /= num_inputs
dW2 = hidden.T.dot(dscores) + 2 * reg * W2
db2 = dscores.sum(axis=0)
dhidden = dscores.dot(W2.T) * (hidden > 0)
dW1 = X.T.dot(dhidden) + 2 * reg * W1
db1 = dhidden.sum(axis=0)

correct_loss = 1.30378789133
correct_scores = [
    [-0.81233741, -1.27654624, -0.70335995],
    [-0.17129677, -1.18803311, -0.47310444],
    [-0.51590475, -1.01354314, -0.8504215],
    [-0.15419291, -0.48629638, -0.52901952],
    [-0.00618733, -0.12435261, -0.15226949],
]
assert abs(loss - correct_loss) < 1e-10, loss
assert np.abs(scores - correct_scores).sum() < 1e-7


def enc(a):
    return {'shape': list(a.shape), 'data': [float(v) for v in a.ravel()]}


json.dump(
    {
        'params': {'W1': enc(W1), 'b1': enc(b1), 'W2': enc(W2), 'b2': enc(b2)},
        'X': enc(X),
        'y': y.tolist(),
        'courseReg': reg,
        'scores': enc(scores),
        'loss': float(loss),
        'grads': {'W1': enc(dW1), 'b1': enc(db1), 'W2': enc(dW2), 'b2': enc(db2)},
        'correctLoss': correct_loss,
        'correctScores': correct_scores,
    },
    open(OUT, 'w'),
    indent=1,
)
print(f'wrote {OUT}: loss {loss!r}, |loss - correct_loss| = {abs(loss - correct_loss):.3g}')
