/** Removes a[i], keeping the order, without allocating (Array#splice returns a new array of what it removed). */
export function removeAt<T>(a: T[], i: i32): void {
  const n = a.length - 1;
  for (let k = i; k < n; k++) unchecked(a[k] = a[k + 1]);
  a.pop();
}
