/**
 * nabla's optional packages: what only some functions need (MNIST's files, HDF5, the report charts, ONNX's
 * protobuf schema) is an optional peer dependency, not installed with the library (see README, "Install").
 * Loading one that is missing fails with this error, which names the function and the install command.
 */

/** The error for `op` needing the optional package `pkg`, or rethrows `err` when it is not a missing package. */
export function optionalPackageError(op: string, pkg: string, err: unknown): Error {
  const code = (err as { code?: string } | null)?.code;
  if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') throw err;
  return new Error(
    `${op} needs the npm package '${pkg}', an optional dependency of nabla that is not installed: npm install ${pkg}`,
  );
}

/** `import(pkg)` for `op`, failing with optionalPackageError when `pkg` is not installed. */
export async function importOptional<T>(op: string, pkg: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    throw optionalPackageError(op, pkg, err);
  }
}
