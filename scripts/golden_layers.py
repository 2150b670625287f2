"""Golden values for the layer library (issue 3), computed with numpy as in CS231n's layers.py.

Run: python3 scripts/golden_layers.py  -> writes test/golden/layers.json
Inputs are small linspace grids (as in the course's notebooks) and are stored beside the outputs, so the
TypeScript tests rebuild them exactly and need no Python.
"""
import json
import os

import numpy as np


def lin(lo, hi, shape):
    return np.linspace(lo, hi, num=int(np.prod(shape))).reshape(shape)


def conv_forward(x, w, b, stride, pad):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho = 1 + (H + 2 * pad - HH) // stride
    Wo = 1 + (W + 2 * pad - WW) // stride
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            win = xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            out[:, :, i, j] = np.tensordot(win, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


def max_pool(x, ph, pw, stride):
    N, C, H, W = x.shape
    Ho = 1 + (H - ph) // stride
    Wo = 1 + (W - pw) // stride
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw].max(axis=(2, 3))
    return out


def norm(x, axes, eps):
    mu = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mu) / np.sqrt(var + eps)


def main():
    g = {}
    # affine: the course's test values
    x = lin(-0.1, 0.5, (2, 4, 5, 6))
    w = lin(-0.2, 0.3, (120, 3))
    b = lin(-0.3, 0.1, (3,))
    g['affine'] = dict(x=x.tolist(), w=w.tolist(), b=b.tolist(), out=(x.reshape(2, -1) @ w + b).tolist())
    # activations
    x = lin(-0.5, 0.5, (3, 4))
    g['relu'] = dict(x=x.tolist(), out=np.maximum(0, x).tolist())
    g['leakyRelu'] = dict(x=x.tolist(), alpha=0.1, out=np.where(x > 0, x, 0.1 * x).tolist())
    g['sigmoid'] = dict(x=(8 * x).tolist(), out=(1 / (1 + np.exp(-8 * x))).tolist())
    g['tanh'] = dict(x=(4 * x).tolist(), out=np.tanh(4 * x).tolist())
    # losses
    s = lin(-2.0, 3.0, (5, 4)) ** 2 - 2.5
    y = np.array([0, 3, 1, 2, 3])
    n = s.shape[0]
    margins = np.maximum(0, s - s[np.arange(n), y][:, None] + 1.0)
    margins[np.arange(n), y] = 0
    svm = margins.sum() / n
    sh = s - s.max(axis=1, keepdims=True)
    logp = sh - np.log(np.exp(sh).sum(axis=1, keepdims=True))
    soft = -logp[np.arange(n), y].mean()
    dsoft = np.exp(logp)
    dsoft[np.arange(n), y] -= 1
    g['losses'] = dict(x=s.tolist(), y=y.tolist(), svm=svm, softmax=soft, dsoftmax=(dsoft / n).tolist())
    big = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5e3]])
    yb = np.array([1, 2])
    shb = big - big.max(axis=1, keepdims=True)
    logpb = shb - np.log(np.exp(shb).sum(axis=1, keepdims=True))
    g['softmaxBig'] = dict(x=big.tolist(), y=yb.tolist(), loss=-logpb[np.arange(2), yb].mean())
    # batchnorm (train, then test with the updated running stats), layernorm, groupnorm
    x = lin(-3.0, 7.0, (4, 5)) ** 2 / 10
    gamma = lin(0.5, 1.5, (5,))
    beta = lin(-1.0, 1.0, (5,))
    eps, mom = 1e-5, 0.9
    out = norm(x, 0, eps) * gamma + beta
    rm = (1 - mom) * x.mean(axis=0)
    rv = (1 - mom) * x.var(axis=0)
    xt = lin(-1.0, 2.0, (3, 5))
    outt = (xt - rm) / np.sqrt(rv + eps) * gamma + beta
    g['batchnorm'] = dict(x=x.tolist(), gamma=gamma.tolist(), beta=beta.tolist(), out=out.tolist(),
                          runningMean=rm.tolist(), runningVar=rv.tolist(), xTest=xt.tolist(), outTest=outt.tolist())
    g['layernorm'] = dict(out=(norm(x, 1, eps) * gamma + beta).tolist())
    x4 = np.sin(lin(0.0, 20.0, (2, 6, 3, 2))) * 3 + 1
    g4 = lin(0.5, 1.5, (1, 6, 1, 1))
    b4 = lin(-0.5, 0.5, (1, 6, 1, 1))
    G = 3
    gn = norm(x4.reshape(2, G, -1), 2, eps).reshape(x4.shape) * g4 + b4
    sbn = norm(x4, (0, 2, 3), eps) * g4 + b4
    g['groupnorm'] = dict(x=x4.tolist(), gamma=g4.tolist(), beta=b4.tolist(), G=G, out=gn.tolist(), spatialBatchnorm=sbn.tolist())
    # convolution: the course's test (stride 2, pad 1) and a stride-1 odd-size case
    x = lin(-0.1, 0.5, (2, 3, 4, 4))
    w = lin(-0.2, 0.3, (3, 3, 4, 4))
    b = lin(-0.1, 0.2, (3,))
    g['conv'] = dict(x=x.tolist(), w=w.tolist(), b=b.tolist(), stride=2, pad=1, out=conv_forward(x, w, b, 2, 1).tolist())
    x = np.cos(lin(0.0, 30.0, (2, 2, 5, 3)))
    w = np.sin(lin(0.0, 9.0, (3, 2, 3, 2)))
    b = lin(-0.1, 0.2, (3,))
    g['conv2'] = dict(x=x.tolist(), w=w.tolist(), b=b.tolist(), stride=1, pad=2, out=conv_forward(x, w, b, 1, 2).tolist())
    # max pool: the course's test, and overlapping 3x3 stride 2 windows
    x = lin(-0.3, 0.4, (2, 3, 4, 4))
    g['pool'] = dict(x=x.tolist(), poolHeight=2, poolWidth=2, stride=2, out=max_pool(x, 2, 2, 2).tolist())
    x = np.sin(lin(0.0, 25.0, (2, 2, 7, 5)))
    g['pool2'] = dict(x=x.tolist(), poolHeight=3, poolWidth=3, stride=2, out=max_pool(x, 3, 3, 2).tolist())

    path = os.path.join(os.path.dirname(__file__), '..', 'test', 'golden', 'layers.json')
    with open(path, 'w') as f:
        json.dump(g, f, separators=(',', ':'))
    print(f'wrote {os.path.normpath(path)} ({os.path.getsize(path)} bytes)')


if __name__ == '__main__':
    main()
