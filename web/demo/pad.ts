/**
 * The drawing pad: draw a digit with the mouse, a pen or a finger (pointer events), or drop a picture on it
 * (or pick a file). Each finished stroke or picture is made into an MNIST digit (preprocess.ts) and handed
 * to `onDigit` (null when the pad holds no ink).
 */
import { inkFromRgba, toMnist } from './preprocess.js';

export interface Pad {
  clear(): void;
}

export function setupPad(
  canvas: HTMLCanvasElement,
  fileInput: HTMLInputElement,
  onDigit: (image: Float32Array | null, source: 'drawing' | 'picture') => void,
): Pad {
  const g = canvas.getContext('2d', { willReadFrequently: true })!;
  const clear = () => {
    g.fillStyle = '#fff';
    g.fillRect(0, 0, canvas.width, canvas.height);
  };
  clear();
  const digit = (polarity: 'dark' | 'auto') => {
    const { data, width, height } = g.getImageData(0, 0, canvas.width, canvas.height);
    return toMnist(inkFromRgba(data, width, height, polarity), width, height);
  };

  // Strokes: round, about as thick relative to the pad as MNIST's pen was to its 20-pixel box.
  let drawing = false;
  let last: [number, number] = [0, 0];
  const at = (e: PointerEvent): [number, number] => {
    const r = canvas.getBoundingClientRect();
    return [
      ((e.clientX - r.left) / r.width) * canvas.width,
      ((e.clientY - r.top) / r.height) * canvas.height,
    ];
  };
  canvas.addEventListener('pointerdown', (e) => {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    last = at(e);
    g.fillStyle = '#000';
    g.beginPath();
    g.arc(last[0], last[1], canvas.width / 32, 0, 2 * Math.PI);
    g.fill();
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    const p = at(e);
    g.strokeStyle = '#000';
    g.lineWidth = canvas.width / 16;
    g.lineCap = 'round';
    g.lineJoin = 'round';
    g.beginPath();
    g.moveTo(last[0], last[1]);
    g.lineTo(p[0], p[1]);
    g.stroke();
    last = p;
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    onDigit(digit('dark'), 'drawing');
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);

  // Pictures: drawn to fit the pad on white, then read with the ink's polarity guessed from the picture.
  const showPicture = async (file: File) => {
    const bitmap = await createImageBitmap(file);
    clear();
    const s = Math.min(canvas.width / bitmap.width, canvas.height / bitmap.height);
    const w = bitmap.width * s;
    const h = bitmap.height * s;
    g.drawImage(bitmap, (canvas.width - w) / 2, (canvas.height - h) / 2, w, h);
    bitmap.close();
    onDigit(digit('auto'), 'picture');
  };
  const fail = (file: File) => (err: Error) => {
    console.warn(`${file.name}: not a picture this browser can read (${err.message})`);
    onDigit(null, 'picture');
  };
  canvas.addEventListener('dragover', (e) => {
    e.preventDefault();
    canvas.classList.add('over');
  });
  canvas.addEventListener('dragleave', () => canvas.classList.remove('over'));
  canvas.addEventListener('drop', (e) => {
    e.preventDefault();
    canvas.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file) showPicture(file).catch(fail(file));
  });
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (file) showPicture(file).catch(fail(file));
    fileInput.value = '';
  });
  return { clear };
}
