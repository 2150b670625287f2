"""Golden values for data preprocessing, image resizing and the course's features (issue 5).

Run: python3 scripts/golden_data.py  -> writes test/golden/data_preprocess.json, data_image.json and
data_features.json. Inputs are stored beside the outputs, so the TypeScript tests need no Python.
The HOG and colour histogram code below is CS231n's features.py (assignment 1) as the course ships it,
with scipy's uniform_filter; matplotlib's rgb_to_hsv is copied here (matplotlib is not installed).
"""
import json
import os

import numpy as np
from scipy.ndimage import uniform_filter

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'golden')


def enc(a):
    a = np.asarray(a)
    return {'shape': list(a.shape), 'data': a.astype(np.float64).ravel().tolist()}


def fix_signs(U):
    """Eigenvectors are defined up to sign: make each column's largest-magnitude entry positive."""
    U = U.copy()
    for j in range(U.shape[1]):
        k = np.argmax(np.abs(U[:, j]))
        if U[k, j] < 0:
            U[:, j] *= -1
    return U


# ---- preprocessing -----------------------------------------------------------------------------------
def preprocess():
    rng = np.random.default_rng(5)
    X = rng.integers(0, 256, size=(6, 2, 3, 3)).astype(np.float64)
    Xval = rng.integers(0, 256, size=(2, 2, 3, 3)).astype(np.float64)
    mean_image = np.mean(X, axis=0)
    ch_mean = X.mean(axis=(0, 2, 3))
    ch_std = X.std(axis=(0, 2, 3))
    norm = (X - ch_mean[None, :, None, None]) / ch_std[None, :, None, None]
    norm_val = (Xval - ch_mean[None, :, None, None]) / ch_std[None, :, None, None]
    # PCA on correlated data: the course's recipe from the CS231n notes.
    Z = rng.standard_normal((20, 5))
    A = np.array([[2.0, 0.5, 0, 0, 0.1], [0, 1.0, 0.3, 0, 0], [0, 0, 0.7, 0.2, 0], [0, 0, 0, 0.4, 0], [0, 0, 0, 0, 0.1]])
    P = Z @ A + np.array([1.0, -2.0, 0.5, 3.0, 0.0])
    Pc = P - np.mean(P, axis=0)
    cov = np.dot(Pc.T, Pc) / Pc.shape[0]
    U, S, V = np.linalg.svd(cov)
    U = fix_signs(U)
    Xrot = np.dot(Pc, U)
    Xrot_reduced = np.dot(Pc, U[:, :2])
    Xwhite = Xrot / np.sqrt(S + 1e-5)
    return {
        'X': enc(X),
        'Xval': enc(Xval),
        'meanImage': enc(mean_image),
        'XminusMean': enc(X - mean_image),
        'XvalMinusMean': enc(Xval - mean_image),
        'channelMean': enc(ch_mean),
        'channelStd': enc(ch_std),
        'channelNorm': enc(norm),
        'channelNormVal': enc(norm_val),
        'P': enc(P),
        'pcaMean': enc(np.mean(P, axis=0)),
        'pcaU': enc(U),
        'pcaS': enc(S),
        'Xrot': enc(Xrot),
        'XrotReduced': enc(Xrot_reduced),
        'Xwhite': enc(Xwhite),
    }


# ---- bilinear resize: half-pixel centres (align_corners=False), as OpenCV INTER_LINEAR / torch -------
def resize_bilinear(img, oh, ow):
    img = img.astype(np.float64)
    squeeze = img.ndim == 2
    if squeeze:
        img = img[:, :, None]
    h, w, _ = img.shape
    sy = np.maximum(0, (np.arange(oh) + 0.5) * (h / oh) - 0.5)
    sx = np.maximum(0, (np.arange(ow) + 0.5) * (w / ow) - 0.5)
    y0 = np.minimum(np.floor(sy).astype(int), h - 1)
    x0 = np.minimum(np.floor(sx).astype(int), w - 1)
    y1 = np.minimum(y0 + 1, h - 1)
    x1 = np.minimum(x0 + 1, w - 1)
    fy = (sy - y0)[:, None, None]
    fx = (sx - x0)[None, :, None]
    a = img[y0][:, x0]
    b = img[y0][:, x1]
    c = img[y1][:, x0]
    d = img[y1][:, x1]
    top = a + (b - a) * fx
    bot = c + (d - c) * fx
    out = top + (bot - top) * fy
    return out[:, :, 0] if squeeze else out


def image():
    rng = np.random.default_rng(7)
    img = rng.integers(0, 256, size=(5, 7, 3)).astype(np.uint8)
    gray = rng.standard_normal((4, 6))
    u8 = lambda v: np.clip(np.floor(v + 0.5), 0, 255)
    return {
        'img': enc(img),
        'down': enc(u8(resize_bilinear(img, 3, 4))),
        'up': enc(u8(resize_bilinear(img, 8, 11))),
        'gray': enc(gray),
        'grayResized': enc(resize_bilinear(gray, 7, 3)),
        'tint': enc(img * np.array([1, 0.95, 0.9])),
    }


# ---- CS231n features.py ----------------------------------------------------------------------------
def rgb2gray(rgb):
    return np.dot(rgb[..., :3], [0.299, 0.587, 0.144])


def hog_feature(im):
    if im.ndim == 3:
        image = rgb2gray(im)
    else:
        image = np.atleast_2d(im)
    sx, sy = image.shape
    orientations = 9
    cx, cy = (8, 8)
    gx = np.zeros(image.shape)
    gy = np.zeros(image.shape)
    gx[:, :-1] = np.diff(image, n=1, axis=1)
    gy[:-1, :] = np.diff(image, n=1, axis=0)
    grad_mag = np.sqrt(gx ** 2 + gy ** 2)
    grad_ori = np.arctan2(gy, (gx + 1e-15)) * (180 / np.pi) + 90
    n_cellsx = int(np.floor(sx / cx))
    n_cellsy = int(np.floor(sy / cy))
    orientation_histogram = np.zeros((n_cellsx, n_cellsy, orientations))
    for i in range(orientations):
        temp_ori = np.where(grad_ori < 180 / orientations * (i + 1), grad_ori, 0)
        temp_ori = np.where(grad_ori >= 180 / orientations * i, temp_ori, 0)
        cond2 = temp_ori > 0
        temp_mag = np.where(cond2, grad_mag, 0)
        orientation_histogram[:, :, i] = uniform_filter(temp_mag, size=(cx, cy))[
            round(cx / 2)::cx, round(cy / 2)::cy
        ].T
    return orientation_histogram.ravel()


def rgb_to_hsv(arr):
    """matplotlib.colors.rgb_to_hsv (matplotlib 3.x)."""
    arr = np.asarray(arr)
    in_shape = arr.shape
    arr = np.array(arr, copy=False if np.__version__ < '2' else None, dtype=np.promote_types(arr.dtype, np.float32), ndmin=2)
    out = np.zeros_like(arr)
    arr_max = arr.max(-1)
    if np.any(arr_max > 1):
        raise ValueError('values out of range')
    ipos = arr_max > 0
    delta = np.ptp(arr, -1)
    s = np.zeros_like(delta)
    s[ipos] = delta[ipos] / arr_max[ipos]
    ipos = delta > 0
    idx = (arr[..., 0] == arr_max) & ipos
    out[idx, 0] = (arr[idx, 1] - arr[idx, 2]) / delta[idx]
    idx = (arr[..., 1] == arr_max) & ipos
    out[idx, 0] = 2. + (arr[idx, 2] - arr[idx, 0]) / delta[idx]
    idx = (arr[..., 2] == arr_max) & ipos
    out[idx, 0] = 4. + (arr[idx, 0] - arr[idx, 1]) / delta[idx]
    out[..., 0] = (out[..., 0] / 6.0) % 1.0
    out[..., 1] = s
    out[..., 2] = arr_max
    return out.reshape(in_shape)


def color_histogram_hsv(im, nbin=10, xmin=0, xmax=255, normalized=True):
    bins = np.linspace(xmin, xmax, nbin + 1)
    hsv = rgb_to_hsv(im / xmax) * xmax
    imhist, bin_edges = np.histogram(hsv[:, :, 0], bins=bins, density=normalized)
    imhist = imhist * np.diff(bin_edges)
    return imhist


def features():
    rng = np.random.default_rng(11)
    imgs = []
    # Random pixels; smooth gradients (many exact ties and gx == 0 columns); a 24x24 image; grayscale.
    imgs.append(rng.integers(0, 256, size=(32, 32, 3)).astype(np.float64))
    yy, xx = np.mgrid[0:32, 0:32]
    smooth = np.stack([(yy * 7) % 256, (xx * 5 + yy) % 256, np.full((32, 32), 128)], axis=-1).astype(np.float64)
    imgs.append(smooth)
    blocks = np.zeros((24, 24, 3))
    blocks[:12, :12] = [255, 0, 0]
    blocks[:12, 12:] = [0, 255, 0]
    blocks[12:, :12] = [0, 0, 255]
    blocks[12:, 12:] = [200, 200, 50]
    blocks += rng.integers(0, 20, size=(24, 24, 3))
    imgs.append(np.clip(blocks, 0, 255))
    gray = rng.integers(0, 256, size=(16, 16)).astype(np.float64)
    out = {'images': [enc(im) for im in imgs], 'gray': enc(gray)}
    out['hog'] = [enc(hog_feature(im)) for im in imgs]
    out['hogGray'] = enc(hog_feature(gray))
    out['hist'] = [enc(color_histogram_hsv(im)) for im in imgs]
    out['histCounts'] = [enc(color_histogram_hsv(im, normalized=False)) for im in imgs]
    out['hist7'] = [enc(color_histogram_hsv(im, nbin=7, xmin=10, xmax=255)) for im in imgs]
    out['hsv'] = enc(rgb_to_hsv(imgs[2] / 255))
    # Feature normalisation and the bias column, as in the features notebook.
    F = rng.standard_normal((6, 4)) * [1, 10, 0.1, 3] + [0, 5, -1, 2]
    Fv = rng.standard_normal((3, 4))
    mean_feat = np.mean(F, axis=0, keepdims=True)
    Fc = F - mean_feat
    std_feat = np.std(Fc, axis=0, keepdims=True)
    Fn = Fc / std_feat
    out['F'] = enc(F)
    out['Fval'] = enc(Fv)
    out['Fnorm'] = enc(np.hstack([Fn, np.ones((Fn.shape[0], 1))]))
    out['FvalNorm'] = enc((Fv - mean_feat) / std_feat)
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, fn in [('data_preprocess', preprocess), ('data_image', image), ('data_features', features)]:
        with open(os.path.join(OUT, name + '.json'), 'w') as f:
            json.dump(fn(), f)
        print('wrote', name + '.json')


if __name__ == '__main__':
    main()
