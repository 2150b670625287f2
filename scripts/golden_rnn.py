"""Golden values for the recurrent layers and CaptioningRNN (issue 14), from a numpy re-statement of the
course's rnn_layers.py and classifiers/rnn.py (CS231n assignment 3), written here from the course's formulas.

Run: python3 scripts/golden_rnn.py  -> writes test/golden/rnn.json
Inputs are the course notebooks' np.linspace constructions; they are stored beside the outputs so the
TypeScript tests rebuild them exactly and need no Python. The notebooks' expected values (quoted below) are
asserted here too, so this script also checks that the re-stated formulas are the course's.
"""
import json
import os

import numpy as np


def lin(lo, hi, shape):
    return np.linspace(lo, hi, num=int(np.prod(shape))).reshape(shape)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# ---- rnn_layers.py ------------------------------------------------------------------------------------

def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1 - next_h ** 2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    caches = []
    prev = h0
    for t in range(T):
        prev, c = rnn_step_forward(x[:, t], prev, Wx, Wh, b)
        h[:, t] = prev
        caches.append(c)
    return h, caches


def rnn_backward(dh, caches):
    N, T, H = dh.shape
    D = caches[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)
    dprev = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dprev, dwx, dwh, dbb = rnn_step_backward(dh[:, t] + dprev, caches[t])
        dWx += dwx
        dWh += dwh
        db += dbb
    return dx, dprev, dWx, dWh, db


def word_embedding_forward(x, W):
    return W[x], (x, W)


def word_embedding_backward(dout, cache):
    x, W = cache
    dW = np.zeros_like(W)
    np.add.at(dW, x, dout)
    return dW


def temporal_affine_forward(x, w, b):
    N, T, D = x.shape
    out = x.reshape(N * T, D) @ w + b
    return out.reshape(N, T, -1), (x, w, b)


def temporal_affine_backward(dout, cache):
    x, w, b = cache
    N, T, D = x.shape
    M = b.shape[0]
    d2 = dout.reshape(N * T, M)
    dx = (d2 @ w.T).reshape(N, T, D)
    dw = x.reshape(N * T, D).T @ d2
    return dx, dw, d2.sum(axis=0)


def temporal_softmax_loss(x, y, mask):
    N, T, V = x.shape
    xf = x.reshape(N * T, V)
    yf = y.reshape(N * T)
    mf = mask.reshape(N * T)
    probs = np.exp(xf - np.max(xf, axis=1, keepdims=True))
    probs /= np.sum(probs, axis=1, keepdims=True)
    loss = -np.sum(mf * np.log(probs[np.arange(N * T), yf])) / N
    dx = probs.copy()
    dx[np.arange(N * T), yf] -= 1
    dx /= N
    dx *= mf[:, None]
    return loss, dx.reshape(N, T, V)


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i, f, o, g = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 2 * H:3 * H]), np.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c)


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c = cache
    tc = np.tanh(next_c)
    dc = dnext_c + dnext_h * o * (1 - tc ** 2)
    da = np.hstack([dc * g * i * (1 - i), dc * prev_c * f * (1 - f), dnext_h * tc * o * (1 - o),
                    dc * i * (1 - g ** 2)])
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    prev_h, prev_c = h0, np.zeros_like(h0)
    caches = []
    for t in range(T):
        prev_h, prev_c, c = lstm_step_forward(x[:, t], prev_h, prev_c, Wx, Wh, b)
        h[:, t] = prev_h
        caches.append(c)
    return h, caches


def lstm_backward(dh, caches):
    N, T, H = dh.shape
    D = caches[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    dprev_h, dprev_c = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dprev_h, dprev_c, dwx, dwh, dbb = lstm_step_backward(dh[:, t] + dprev_h, dprev_c, caches[t])
        dWx += dwx
        dWh += dwh
        db += dbb
    return dx, dprev_h, dWx, dWh, db


# ---- classifiers/rnn.py: CaptioningRNN's loss and greedy sample ----------------------------------------

def param_shapes(D, W, H, V, cell):
    m = 4 if cell == 'lstm' else 1
    return dict(WEmbed=(V, W), WProj=(D, H), bProj=(H,), Wx=(W, m * H), Wh=(H, m * H), b=(m * H,),
                WVocab=(H, V), bVocab=(V,))


def captioning_loss(p, features, captions, null, cell):
    cin, cout = captions[:, :-1], captions[:, 1:]
    mask = cout != null
    h0 = features @ p['WProj'] + p['bProj']
    x, cache_e = word_embedding_forward(cin, p['WEmbed'])
    fwd, bwd = (rnn_forward, rnn_backward) if cell == 'rnn' else (lstm_forward, lstm_backward)
    h, cache_r = fwd(x, h0, p['Wx'], p['Wh'], p['b'])
    scores, cache_s = temporal_affine_forward(h, p['WVocab'], p['bVocab'])
    loss, dscores = temporal_softmax_loss(scores, cout, mask)
    dh, dWv, dbv = temporal_affine_backward(dscores, cache_s)
    dx, dh0, dWx, dWh, db = bwd(dh, cache_r)
    grads = dict(WEmbed=word_embedding_backward(dx, cache_e), WProj=features.T @ dh0, bProj=dh0.sum(axis=0),
                 Wx=dWx, Wh=dWh, b=db, WVocab=dWv, bVocab=dbv)
    return loss, grads


def captioning_sample(p, features, start, max_length, cell):
    N = features.shape[0]
    H = p['Wh'].shape[0]
    out = np.zeros((N, max_length), dtype=np.int32)
    h = features @ p['WProj'] + p['bProj']
    c = np.zeros_like(h)
    word = np.full(N, start)
    for t in range(max_length):
        x = p['WEmbed'][word]
        if cell == 'rnn':
            h, _ = rnn_step_forward(x, h, p['Wx'], p['Wh'], p['b'])
        else:
            h, c, _ = lstm_step_forward(x, h, c, p['Wx'], p['Wh'], p['b'])
        word = np.argmax(h @ p['WVocab'] + p['bVocab'], axis=1)
        out[:, t] = word
    assert H == h.shape[1]
    return out


def tolist(d):
    return {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in d.items()}


def main():
    g = {}
    # rnn_step_forward: the notebook's check (N, D, H = 3, 10, 4) and its expected next_h
    N, D, H = 3, 10, 4
    x, prev_h = lin(-0.4, 0.7, (N, D)), lin(-0.2, 0.5, (N, H))
    Wx, Wh, b = lin(-0.1, 0.9, (D, H)), lin(-0.3, 0.7, (H, H)), lin(-0.2, 0.4, (H,))
    next_h, cache = rnn_step_forward(x, prev_h, Wx, Wh, b)
    expected = np.array([[-0.58172089, -0.50182032, -0.41232771, -0.31410098],
                         [0.66854692, 0.79562378, 0.87755553, 0.92795967],
                         [0.97934501, 0.99144213, 0.99646691, 0.99854353]])
    assert np.abs(next_h - expected).max() < 1e-8
    dnext = np.sin(lin(0, 7, (N, H)))
    dx, dprev, dWx, dWh, db = rnn_step_backward(dnext, cache)
    g['rnnStep'] = tolist(dict(x=x, prevH=prev_h, Wx=Wx, Wh=Wh, b=b, nextH=next_h, dnextH=dnext, dx=dx,
                               dprevH=dprev, dWx=dWx, dWh=dWh, db=db))

    # rnn_forward: the notebook's check (N, T, D, H = 2, 3, 4, 5)
    N, T, D, H = 2, 3, 4, 5
    x, h0 = lin(-0.1, 0.3, (N, T, D)), lin(-0.3, 0.1, (N, H))
    Wx, Wh, b = lin(-0.2, 0.4, (D, H)), lin(-0.4, 0.1, (H, H)), lin(-0.7, 0.1, (H,))
    h, caches = rnn_forward(x, h0, Wx, Wh, b)
    expected = np.array([[[-0.42070749, -0.27279261, -0.11074945, 0.05740409, 0.22236251],
                          [-0.39525808, -0.22554661, -0.0409454, 0.14649412, 0.32397316],
                          [-0.42305111, -0.24223728, -0.04287027, 0.15997045, 0.35014525]],
                         [[-0.55857474, -0.39065825, -0.19198182, 0.02378408, 0.23735671],
                          [-0.27150199, -0.07088804, 0.13562939, 0.33099728, 0.50158768],
                          [-0.51014825, -0.30524429, -0.06755202, 0.17806392, 0.40333043]]])
    assert np.abs(h - expected).max() < 1e-8
    dh = np.cos(lin(0, 9, (N, T, H)))
    dx, dh0, dWx, dWh, db = rnn_backward(dh, caches)
    g['rnn'] = tolist(dict(x=x, h0=h0, Wx=Wx, Wh=Wh, b=b, h=h, dh=dh, dx=dx, dh0=dh0, dWx=dWx, dWh=dWh, db=db))

    # word_embedding_forward: the notebook's check, plus a backward with repeated indices (np.add.at)
    V, D = 5, 3
    xi = np.asarray([[0, 3, 1, 2], [2, 1, 0, 3]])
    W = lin(0, 1, (V, D))
    out, cache = word_embedding_forward(xi, W)
    expected = np.asarray([[[0., 0.07142857, 0.14285714], [0.64285714, 0.71428571, 0.78571429],
                            [0.21428571, 0.28571429, 0.35714286], [0.42857143, 0.5, 0.57142857]],
                           [[0.42857143, 0.5, 0.57142857], [0.21428571, 0.28571429, 0.35714286],
                            [0., 0.07142857, 0.14285714], [0.64285714, 0.71428571, 0.78571429]]])
    assert np.abs(out - expected).max() < 1e-8
    dout = np.sin(lin(0, 5, out.shape))
    g['wordEmbedding'] = tolist(dict(x=xi, W=W, out=out, dout=dout, dW=word_embedding_backward(dout, cache)))

    # temporal affine and the temporal softmax loss with a mask
    N, T, D, M = 2, 3, 4, 5
    x, w, b = lin(-0.5, 0.4, (N, T, D)), lin(-0.3, 0.6, (D, M)), lin(-0.1, 0.2, (M,))
    out, cache = temporal_affine_forward(x, w, b)
    dout = np.cos(lin(0, 4, (N, T, M)))
    dx, dw, db = temporal_affine_backward(dout, cache)
    g['temporalAffine'] = tolist(dict(x=x, w=w, b=b, out=out, dout=dout, dx=dx, dw=dw, db=db))
    scores = np.sin(lin(0, 11, (N, T, M))) * 3
    y = (np.arange(N * T) * 3 % M).reshape(N, T)
    mask = np.array([[1, 1, 0], [1, 0, 0]], dtype=bool)
    loss, dx = temporal_softmax_loss(scores, y, mask)
    g['temporalSoftmax'] = dict(x=scores.tolist(), y=y.tolist(), mask=mask.tolist(), loss=loss, dx=dx.tolist())

    # lstm_step_forward: the notebook's check (N, D, H = 3, 4, 5)
    N, D, H = 3, 4, 5
    x, prev_h, prev_c = lin(-0.4, 1.2, (N, D)), lin(-0.3, 0.7, (N, H)), lin(-0.4, 0.9, (N, H))
    Wx, Wh, b = lin(-2.1, 1.3, (D, 4 * H)), lin(-0.7, 2.2, (H, 4 * H)), lin(0.3, 0.7, (4 * H,))
    next_h, next_c, cache = lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)
    expected_h = np.asarray([[0.24635157, 0.28610883, 0.32240467, 0.35525807, 0.38474904],
                             [0.49223563, 0.55611431, 0.61507696, 0.66844003, 0.7159181],
                             [0.56735664, 0.66310127, 0.74419266, 0.80889665, 0.858299]])
    expected_c = np.asarray([[0.32986176, 0.39145139, 0.451556, 0.51014116, 0.56717407],
                             [0.66382255, 0.76674007, 0.87195994, 0.97902709, 1.08751345],
                             [0.74192008, 0.90592151, 1.07717006, 1.25120233, 1.42395676]])
    assert np.abs(next_h - expected_h).max() < 1e-8 and np.abs(next_c - expected_c).max() < 1e-8
    dnh, dnc = np.sin(lin(0, 6, (N, H))), np.cos(lin(0, 5, (N, H)))
    dx, dph, dpc, dWx, dWh, db = lstm_step_backward(dnh, dnc, cache)
    g['lstmStep'] = tolist(dict(x=x, prevH=prev_h, prevC=prev_c, Wx=Wx, Wh=Wh, b=b, nextH=next_h, nextC=next_c,
                                dnextH=dnh, dnextC=dnc, dx=dx, dprevH=dph, dprevC=dpc, dWx=dWx, dWh=dWh, db=db))

    # lstm_forward: the notebook's check (N, D, H, T = 2, 5, 4, 3)
    N, D, H, T = 2, 5, 4, 3
    x, h0 = lin(-0.4, 0.6, (N, T, D)), lin(-0.4, 0.8, (N, H))
    Wx, Wh, b = lin(-0.2, 0.9, (D, 4 * H)), lin(-0.3, 0.6, (H, 4 * H)), lin(0.2, 0.7, (4 * H,))
    h, caches = lstm_forward(x, h0, Wx, Wh, b)
    expected = np.asarray([[[0.01764008, 0.01823233, 0.01882671, 0.0194232],
                            [0.11287491, 0.12146228, 0.13018446, 0.13902939],
                            [0.31358768, 0.33338627, 0.35304453, 0.37250975]],
                           [[0.45767879, 0.4761092, 0.4936887, 0.51041945],
                            [0.6704845, 0.69350089, 0.71486014, 0.7346449],
                            [0.81733511, 0.83677871, 0.85403753, 0.86935314]]])
    assert np.abs(h - expected).max() < 1e-8
    dh = np.sin(lin(0, 8, (N, T, H)))
    dx, dh0, dWx, dWh, db = lstm_backward(dh, caches)
    g['lstm'] = tolist(dict(x=x, h0=h0, Wx=Wx, Wh=Wh, b=b, h=h, dh=dh, dx=dx, dh0=dh0, dWx=dWx, dWh=dWh, db=db))

    # CaptioningRNN's loss: the notebooks' check. N, D, W, H = 10, 20, 30, 40, the vocabulary
    # {'<NULL>': 0, 'cat': 2, 'dog': 3} (so V = len(word_to_idx) = 3), T = 13, every parameter
    # np.linspace(-1.4, 1.3) of its shape; features linspace(-1.5, 0.3) for the RNN, (-0.5, 1.7) for the LSTM.
    N, D, W, H, T = 10, 20, 30, 40, 13
    word_to_idx = {'<NULL>': 0, 'cat': 2, 'dog': 3}
    V = len(word_to_idx)
    captions = (np.arange(N * T) % V).reshape(N, T)
    g['captioningLoss'] = dict(N=N, D=D, W=W, H=H, T=T, wordToIdx=word_to_idx, captions=captions.tolist())
    for cell, lo, hi, expected in (('rnn', -1.5, 0.3, 9.83235591003), ('lstm', -0.5, 1.7, 9.82445935443)):
        features = lin(lo, hi, (N, D))
        p = {k: lin(-1.4, 1.3, s) for k, s in param_shapes(D, W, H, V, cell).items()}
        loss, _ = captioning_loss(p, features, captions, 0, cell)
        assert abs(loss - expected) < 1e-10, (cell, loss)
        # The gradients are not stored: the tests check them numerically.
        g['captioningLoss'][cell] = dict(features=[lo, hi], loss=loss)

    # CaptioningRNN's greedy sample on a small linspace model with a <START> token
    word_to_idx = {'<NULL>': 0, '<START>': 1, '<END>': 2, 'a': 3, 'b': 4, 'c': 5}
    N, D, W, H, V = 4, 6, 5, 7, len(word_to_idx)
    features = np.sin(lin(0, 13, (N, D)))
    g['captioningSample'] = dict(D=D, W=W, H=H, wordToIdx=word_to_idx, features=features.tolist(), maxLength=8)
    for cell in ('rnn', 'lstm'):
        p = {k: np.sin(lin(0, 3 + 11 * j, s)) for j, (k, s) in enumerate(param_shapes(D, W, H, V, cell).items())}
        g['captioningSample'][cell] = dict(params=tolist(p), captions=captioning_sample(p, features, 1, 8, cell).tolist())

    path = os.path.join(os.path.dirname(__file__), '..', 'test', 'golden', 'rnn.json')
    with open(path, 'w') as f:
        json.dump(g, f, separators=(',', ':'))
    print(f'wrote {os.path.normpath(path)} ({os.path.getsize(path)} bytes)')


if __name__ == '__main__':
    main()
