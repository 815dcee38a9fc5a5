/** The package is a CommonJS array of domains (index.json) without type declarations. */
declare module 'disposable-email-domains' {
  const domains: readonly string[];
  export default domains;
}
