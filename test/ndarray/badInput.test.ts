/**
 * Garbage in, a clear error out (issue 20, item 10): array() used to turn strings, objects and undefined into
 * NaN and null into 0, wrap 300 into a uint8 as 44, and ops given a non-array failed deep inside with
 * "Cannot read properties of undefined". The overflow messages are numpy 2's (its OverflowError), the ragged
 * ones numpy's ValueError text.
 */
import { describe, expect, it } from 'vitest';
import * as nd from '../../src/ndarray/index.js';
import { array, ones, zeros } from '../../src/ndarray/index.js';

const bad = (x: unknown) => x as never;

describe('array() refuses what is not a number or a boolean', () => {
  it.each([
    [['a', 'b'], /^array: element \[0\] is a string \('a'\); expected a number or a boolean$/],
    [[{}, {}], /^array: element \[0\] is an object; expected a number or a boolean$/],
    [[1, undefined, 3], /^array: element \[1\] is undefined; expected a number or a boolean$/],
    [[1, null], /^array: element \[1\] is null; expected a number or a boolean$/],
    [
      [
        [1, 2],
        [3, 'x'],
      ],
      /^array: element \[1, 1\] is a string \('x'\); expected a number or a boolean$/,
    ],
    [[1, 2n], /^array: element \[1\] is a bigint \(2n\); expected a number or a boolean$/],
    [[() => 1], /^array: element \[0\] is a function; expected a number or a boolean$/],
  ])('array(%s)', (data, message) => {
    expect(() => array(bad(data))).toThrow(TypeError);
    expect(() => array(bad(data))).toThrow(message);
  });

  it.each([
    [null, 'null'],
    [undefined, 'undefined'],
    ['abc', "a string ('abc')"],
    [{ length: 2 }, 'an object'],
  ])('array(%j) names what it got', (data, what) => {
    expect(() => array(bad(data))).toThrow(TypeError);
    expect(() => array(bad(data))).toThrow(
      `array: expected a number, a boolean, nested arrays of them, a typed array or an NDArray, got ${what}`,
    );
  });

  it.each([
    [[1, [2]], 1, '(2,)'],
    [[[1, 2], 3], 1, '(2,)'],
    [[[1, 2], [3]], 1, '(2,)'],
    [
      [
        [[1], [2]],
        [[3], [4, 5]],
      ],
      2,
      '(2, 2)',
    ],
  ])('ragged %j: numpy’s inhomogeneous-shape error', (data, depth, shape) => {
    expect(() => array(bad(data))).toThrow(RangeError);
    expect(() => array(bad(data))).toThrow(
      `array: setting an array element with a sequence. The requested array has an inhomogeneous shape after ${depth} dimensions. The detected shape was ${shape} + inhomogeneous part.`,
    );
  });

  it('still takes numbers, booleans, NaN, 0-d values and empty lists', () => {
    expect(array([1, NaN, -Infinity]).toArray()).toEqual([1, NaN, -Infinity]);
    expect(array(5).shape).toEqual([]);
    expect(array([]).dtype).toBe('float64');
    expect(array([true, false]).dtype).toBe('bool');
    // A bool mixed with numbers is 1 or 0 in a numeric array (numpy: array([True, 2]) is [1, 2]), not a bool.
    const m = array([true, 2]);
    expect(m.dtype).toBe('float64');
    expect(m.toArray()).toEqual([1, 2]);
  });
});

describe('integer dtypes refuse values they cannot hold (numpy 2 OverflowError)', () => {
  it('array([300, -1], uint8) names the value and its position', () => {
    expect(() => array([300, -1], 'uint8')).toThrow(RangeError);
    expect(() => array([300, -1], 'uint8')).toThrow(
      'array: Python integer 300 out of bounds for uint8 (element [0])',
    );
    expect(() => array([[0, 1, -1]], 'uint8')).toThrow(
      'array: Python integer -1 out of bounds for uint8 (element [0, 2])',
    );
    expect(() => array([2 ** 31], 'int32')).toThrow(
      'array: Python integer 2147483648 out of bounds for int32',
    );
    expect(() => array([NaN], 'int32')).toThrow('array: cannot convert float NaN to integer (element [0])');
    expect(() => array([1, Infinity], 'uint8')).toThrow(
      'array: cannot convert float infinity to integer (element [1])',
    );
  });

  it('truncates in-range fractions toward zero as numpy does', () => {
    expect(array([1.5, -0.5, 255.9], 'uint8').toArray()).toEqual([1, 0, 255]);
    expect(array([-2.7, 2147483647], 'int32').toArray()).toEqual([-2, 2147483647]);
    expect(() => array([-1.5], 'uint8')).toThrow('array: Python integer -1 out of bounds for uint8');
  });

  it('full, fill, setItem and set refuse them too', () => {
    expect(() => nd.full(2, 300, 'uint8')).toThrow('full: Python integer 300 out of bounds for uint8');
    expect(() => zeros(2, 'uint8').fill(256)).toThrow('fill: Python integer 256 out of bounds for uint8');
    expect(() => zeros(2, 'int32').setItem(2 ** 32, 1)).toThrow(
      'setItem: Python integer 4294967296 out of bounds for int32',
    );
    expect(() => zeros(3, 'uint8').set(1, -1)).toThrow('set: Python integer -1 out of bounds for uint8');
    expect(() => zeros(3, 'uint8').set([[0, 2]], 999)).toThrow(
      'set: Python integer 999 out of bounds for uint8',
    );
    // Values that fit still go in; bool takes any number as truthiness, floats take anything.
    expect(zeros(2, 'uint8').fill(255).toArray()).toEqual([255, 255]);
    expect(zeros(2, 'bool').fill(7).toArray()).toEqual([true, true]);
    expect(nd.full(1, 1e300, 'float32').toArray()).toEqual([Infinity]);
  });
});

describe('ops given something that is not an array say which operand', () => {
  const a = ones(3);
  it('binary ops', () => {
    expect(() => a.add(bad('x'))).toThrow(TypeError);
    expect(() => a.add(bad('x'))).toThrow(
      "add: operand 2 is a string ('x'); expected an NDArray or a number",
    );
    expect(() => nd.mul(bad(null), a)).toThrow(
      'multiply: operand 1 is null; expected an NDArray or a number',
    );
    expect(() => a.lt(bad(undefined))).toThrow(
      'less: operand 2 is undefined; expected an NDArray or a number',
    );
    expect(() => a.maximum(bad([1, 2, 3]))).toThrow(
      'maximum: operand 2 is an array; expected an NDArray or a number (wrap it with array())',
    );
  });

  it('products, unary ops and reductions', () => {
    expect(() => a.dot(bad(null))).toThrow(TypeError);
    expect(() => a.dot(bad(null))).toThrow('dot: operand 2 is null; expected an NDArray');
    expect(() => a.matmul(bad({}))).toThrow('matmul: operand 2 is an object; expected an NDArray');
    expect(() => nd.dot(bad(undefined), a)).toThrow('dot: operand 1 is undefined; expected an NDArray');
    expect(() => nd.exp(bad('x'))).toThrow("exp: operand 1 is a string ('x'); expected an NDArray");
    expect(() => nd.sum(bad(null))).toThrow('sum: operand 1 is null; expected an NDArray');
    expect(() => nd.argmax(bad(undefined))).toThrow('argmax: operand 1 is undefined; expected an NDArray');
  });
});
