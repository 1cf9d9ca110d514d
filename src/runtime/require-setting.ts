/** Production processes need real services; only the embedded launcher has fallbacks. */
export function requireSetting(name: string, value: string | undefined): string {
  if (!value) {
    throw new Error(
      `${name} is required (npm start provides embedded defaults; this process does not)`,
    );
  }
  return value;
}
