/**
 * Per-channel kernels of the normalization layers for the TypeScript backend (see ChannelMomentsArgs,
 * ChannelDotArgs and ChannelLinearArgs in ../backend.ts). x is viewed as (N, C, S); each kernel walks
 * n, then c, then a contiguous run of S values, so every pass reads memory in order.
 */
import type { ChannelDotArgs, ChannelLinearArgs, ChannelMomentsArgs } from '../backend.js';

export function channelMoments(g: ChannelMomentsArgs): void {
  const { x, xOffset, N, C, S, mean, variance } = g;
  const count = N * S;
  mean.fill(0, 0, C);
  variance.fill(0, 0, C);
  let k = xOffset;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      let acc = 0;
      for (let s = 0; s < S; s++) acc += x[k++];
      mean[c] += acc;
    }
  }
  for (let c = 0; c < C; c++) mean[c] /= count;
  // The second pass sums squared deviations: no cancellation, unlike E[x²] − E[x]².
  k = xOffset;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const m = mean[c];
      let acc = 0;
      for (let s = 0; s < S; s++) {
        const d = x[k++] - m;
        acc += d * d;
      }
      variance[c] += acc;
    }
  }
  for (let c = 0; c < C; c++) variance[c] /= count;
}

export function channelDot(g: ChannelDotArgs): void {
  const { a, aOffset, b, bOffset, N, C, S, bShift, sumA, sumAB } = g;
  sumA.fill(0, 0, C);
  sumAB.fill(0, 0, C);
  let ka = aOffset;
  let kb = bOffset;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const m = bShift[c];
      let s1 = 0;
      let s2 = 0;
      for (let s = 0; s < S; s++) {
        const v = a[ka++];
        s1 += v;
        s2 += v * (b[kb++] - m);
      }
      sumA[c] += s1;
      sumAB[c] += s2;
    }
  }
}

export function channelLinear(g: ChannelLinearArgs): void {
  const { a, aOffset, aShift, alpha, b, bOffset, beta, delta, out, outOffset, N, C, S } = g;
  let ka = aOffset;
  let kb = bOffset;
  let ko = outOffset;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const m = aShift[c];
      const al = alpha[c];
      const de = delta[c];
      if (b === null) {
        for (let s = 0; s < S; s++) out[ko++] = al * (a[ka++] - m) + de;
      } else {
        const be = beta[c];
        for (let s = 0; s < S; s++) out[ko++] = al * (a[ka++] - m) + be * b[kb++] + de;
      }
    }
  }
}
