"""The course's numpy code on the caption-lstm workload of bench/compare/workloads.json.

`python3 bench/compare/peers/numpy_caption.py caption-lstm [--quick]` prints one line `@@compare <json>`
as bench/compare/child.ts does. The layers are the course's rnn_layers.py (lstm_step_forward/backward,
lstm_forward/backward, word_embedding_*, temporal_affine_*, temporal_softmax_loss) and classifiers/rnn.py's
CaptioningRNN.loss, written as the course's solutions write them (per-step Python loop, np.add.at), with
optim.py's adam per parameter; float32 throughout. Same data, initial weights and timing protocol
(warm-up, >= min_time_s, repeats, median) as the JavaScript peers.
"""
import json
import resource
import sys
import time

import numpy as np

SPEC = json.load(open(__file__.rsplit("/", 2)[0] + "/workloads.json"))
M32 = np.uint64(0xFFFFFFFF)


def u32(i, seed):
    """fmix32((i + seed * 0x9E3779B9) mod 2^32), vectorised over i (uint64 arithmetic, masked)."""
    h = (i.astype(np.uint64) + np.uint64((seed * 0x9E3779B9) & 0xFFFFFFFF)) & M32
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x85EBCA6B)) & M32
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(0xC2B2AE35)) & M32
    h ^= h >> np.uint64(16)
    return h


def data_tensor(n, seed):
    return (2 * (u32(np.arange(n), seed) / 2.0**32) - 1).astype(np.float32)


def weight_tensor(n, fan_in, seed):
    return ((2 * (u32(np.arange(n), seed) / 2.0**32) - 1) * np.sqrt(6 / fan_in)).astype(np.float32)


def sigmoid(x):
    pos = x >= 0
    neg = ~pos
    z = np.zeros_like(x)
    z[pos] = np.exp(-x[pos])
    z[neg] = np.exp(x[neg])
    top = np.ones_like(x)
    top[neg] = z[neg]
    return top / (1 + z)


def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1).dot(w) + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    x, w, b = cache
    dx = dout.dot(w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T.dot(dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x.dot(Wx) + prev_h.dot(Wh) + b
    i = sigmoid(a[:, :H])
    f = sigmoid(a[:, H : 2 * H])
    o = sigmoid(a[:, 2 * H : 3 * H])
    g = np.tanh(a[:, 3 * H :])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c)
    return next_h, next_c, cache


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c = cache
    tanh_c = np.tanh(next_c)
    dnext_c = dnext_c + dnext_h * o * (1 - tanh_c**2)
    di = dnext_c * g * i * (1 - i)
    df = dnext_c * prev_c * f * (1 - f)
    do = dnext_h * tanh_c * o * (1 - o)
    dg = dnext_c * i * (1 - g**2)
    da = np.hstack((di, df, do, dg))
    dx = da.dot(Wx.T)
    dprev_h = da.dot(Wh.T)
    dprev_c = dnext_c * f
    dWx = x.T.dot(da)
    dWh = prev_h.T.dot(da)
    db = np.sum(da, axis=0)
    return dx, dprev_h, dprev_c, dWx, dWh, db


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H), dtype=x.dtype)
    prev_h, prev_c = h0, np.zeros_like(h0)
    cache = []
    for t in range(T):
        prev_h, prev_c, c = lstm_step_forward(x[:, t, :], prev_h, prev_c, Wx, Wh, b)
        h[:, t, :] = prev_h
        cache.append(c)
    return h, cache


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D), dtype=dh.dtype)
    dprev_h = np.zeros((N, H), dtype=dh.dtype)
    dprev_c = np.zeros((N, H), dtype=dh.dtype)
    dWx = np.zeros((D, 4 * H), dtype=dh.dtype)
    dWh = np.zeros((H, 4 * H), dtype=dh.dtype)
    db = np.zeros(4 * H, dtype=dh.dtype)
    for t in reversed(range(T)):
        dxt, dprev_h, dprev_c, dWxt, dWht, dbt = lstm_step_backward(dh[:, t, :] + dprev_h, dprev_c, cache[t])
        dx[:, t, :] = dxt
        dWx += dWxt
        dWh += dWht
        db += dbt
    return dx, dprev_h, dWx, dWh, db


def word_embedding_forward(x, W):
    return W[x], (x, W)


def word_embedding_backward(dout, cache):
    x, W = cache
    dW = np.zeros_like(W)
    np.add.at(dW, x, dout)
    return dW


def temporal_affine_forward(x, w, b):
    N, T, D = x.shape
    M = b.shape[0]
    out = x.reshape(N * T, D).dot(w).reshape(N, T, M) + b
    return out, (x, w, b, out)


def temporal_affine_backward(dout, cache):
    x, w, b, out = cache
    N, T, D = x.shape
    M = b.shape[0]
    dx = dout.reshape(N * T, M).dot(w.T).reshape(N, T, D)
    dw = dout.reshape(N * T, M).T.dot(x.reshape(N * T, D)).T
    db = dout.sum(axis=(0, 1))
    return dx, dw, db


def temporal_softmax_loss(x, y, mask):
    N, T, V = x.shape
    x_flat = x.reshape(N * T, V)
    y_flat = y.reshape(N * T)
    mask_flat = mask.reshape(N * T)
    probs = np.exp(x_flat - np.max(x_flat, axis=1, keepdims=True))
    probs /= np.sum(probs, axis=1, keepdims=True)
    loss = -np.sum(mask_flat * np.log(probs[np.arange(N * T), y_flat])) / N
    dx_flat = probs.copy()
    dx_flat[np.arange(N * T), y_flat] -= 1
    dx_flat /= N
    dx_flat *= mask_flat[:, None]
    return loss, dx_flat.reshape(N, T, V)


def captioning_loss(params, features, captions, null=0):
    """classifiers/rnn.py CaptioningRNN.loss with cell_type 'lstm'."""
    captions_in = captions[:, :-1]
    captions_out = captions[:, 1:]
    mask = captions_out != null
    h0, cache_proj = affine_forward(features, params["W_proj"], params["b_proj"])
    x, cache_embed = word_embedding_forward(captions_in, params["W_embed"])
    h, cache_lstm = lstm_forward(x, h0, params["Wx"], params["Wh"], params["b"])
    scores, cache_scores = temporal_affine_forward(h, params["W_vocab"], params["b_vocab"])
    loss, dscores = temporal_softmax_loss(scores, captions_out, mask)
    grads = {}
    dh, grads["W_vocab"], grads["b_vocab"] = temporal_affine_backward(dscores, cache_scores)
    dx, dh0, grads["Wx"], grads["Wh"], grads["b"] = lstm_backward(dh, cache_lstm)
    grads["W_embed"] = word_embedding_backward(dx, cache_embed)
    _, grads["W_proj"], grads["b_proj"] = affine_backward(dh0, cache_proj)
    return loss, grads


def adam(w, dw, config):
    """optim.py's adam."""
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    config["t"] += 1
    config["m"] = config["beta1"] * config["m"] + (1 - config["beta1"]) * dw
    config["v"] = config["beta2"] * config["v"] + (1 - config["beta2"]) * dw**2
    mt = config["m"] / (1 - config["beta1"] ** config["t"])
    vt = config["v"] / (1 - config["beta2"] ** config["t"])
    next_w = w - config["learning_rate"] * mt / (np.sqrt(vt) + config["epsilon"])
    return next_w.astype(w.dtype), config


def prepare():
    w = SPEC["workloads"]["caption-lstm"]
    seeds = SPEC["generator"]["seeds"]
    N, T, V, D, H = w["batch"], w["T"], w["vocab"], w["input_dim"], w["hidden_dim"]
    names = {"WProj": "W_proj", "WEmbed": "W_embed", "Wx": "Wx", "Wh": "Wh", "WVocab": "W_vocab"}
    params = {}
    for k, p in enumerate(w["params"]):
        n = p["shape"][0] * p["shape"][1]
        params[names[p["name"]]] = weight_tensor(n, p["fan_in"], seeds["weights_base"] + k).reshape(p["shape"])
    params["b_proj"] = np.zeros(H, np.float32)
    params["b"] = np.zeros(4 * H, np.float32)
    params["b_vocab"] = np.zeros(V, np.float32)
    L = T + 1
    pool = []
    for b in range(SPEC["timing"]["batches_in_pool"]):
        idx = np.arange(N * L)
        caps = (u32(idx, seeds["labels"] + b * 1000) % np.uint64(V)).astype(np.int32)
        caps[idx % L == 0] = 1
        feats = data_tensor(N * D, seeds["data"] + b * 1000).reshape(N, D)
        pool.append((feats, caps.reshape(N, L)))
    o = w["optimizer"]
    configs = {
        k: {"learning_rate": o["lr"], "beta1": o["beta1"], "beta2": o["beta2"], "epsilon": o["eps"]}
        for k in params
    }
    state = {"i": 0}

    def step():
        feats, caps = pool[state["i"] % len(pool)]
        state["i"] += 1
        loss, grads = captioning_loss(params, feats, caps)
        for k in params:
            params[k], configs[k] = adam(params[k], grads[k], configs[k])
        return float(loss)

    return step, N


def measure(step, quick):
    t = SPEC["timing"]
    warmup_s, min_time_s, repeats = (0.3, 1.0, 1) if quick else (t["warmup_s"], t["min_time_s"], t["repeats"])
    t0 = time.perf_counter()
    first = step()
    first_s = time.perf_counter() - t0
    while time.perf_counter() - t0 < warmup_s:
        step()
    capped = first_s > (2 if quick else 5) and repeats > 1
    samples, timed = [], 0
    for _ in range(1 if capped else repeats):
        n, t0 = 0, time.perf_counter()
        while True:
            step()
            n += 1
            el = time.perf_counter() - t0
            if n >= t["min_steps"] and el >= min_time_s:
                break
        samples.append(n / el)
        timed += n
    return sorted(samples)[len(samples) // 2], samples, timed, capped, first


def run_cell(peer, setup, task_written, prepare_cell, note, cannot, report_loss=True):
    """One cell as child.ts runs it: `argv[1]` is the task; prints `@@compare <json>` (value, samples, CPU time).

    setup: a callable giving the setup line; prepare_cell() -> (step, units per step), for task_written only.
    """
    task = sys.argv[1]
    quick = "--quick" in sys.argv
    result = {"peer": peer, "task": task, "maxRssMiB": 0}
    try:
        result["setup"] = setup()
        if task != task_written:
            result["cannot"] = cannot
        else:
            step, units = prepare_cell()
            cpu0 = time.process_time()
            calls = [0]

            def counted():
                calls[0] += 1
                return step()

            v, samples, timed, capped, first = measure(counted, quick)
            result["perCpuS"] = calls[0] * units / (time.process_time() - cpu0)
            result.update(
                value=v * units,
                samples=[s * units for s in samples],
                timedSteps=timed,
                capped=capped,
                note=note,
            )
            if report_loss:
                result["firstLoss"] = first
    except Exception as e:  # one error cell, never a crash of the bench
        result["error"] = f"{type(e).__name__}: {e}"
    result["maxRssMiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("\n@@compare " + json.dumps(result))


def main():
    run_cell(
        "numpy",
        lambda: f"numpy {np.__version__}, the course's rnn_layers.py / CaptioningRNN.loss / optim.adam, float32",
        "caption-lstm",
        prepare,
        "per-step Python loop of lstm_step_forward/backward, as the course's solution",
        "not written (the course's numpy code covers the RNN captioning only)",
    )


if __name__ == "__main__":
    main()
