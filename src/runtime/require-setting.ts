/** Production processes need real services; only the embedded launcher has fallbacks. */
export function requireSetting<T>(name: string, value: T | undefined): T {
  if (!value) {
    throw new Error(
      `${name} is required (npm start provides embedded defaults; this process does not)`,
    );
  }
  return value;
}
