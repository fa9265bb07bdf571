// An empty array that will hold objects, made already in the elements kind for objects.
//
// A `[]` starts out as an array of small integers and changes kind at its first object. Code V8 has
// optimized for one instance's arrays then meets the next instance's fresh `[]` and is thrown away
// ("not a Smi" in --trace-deopt) and compiled again, on the main thread. The storage bench runs
// producer after producer in one process: before this, each run deoptimized and recompiled the
// per-batch path (ProducerEngine.send and collectWritten, WriteBehind.acquire: 4-5 ms each).
export function objectArray<T extends object>(): T[] {
  const a: (T | null)[] = [null];
  a.pop();
  return a as T[];
}
