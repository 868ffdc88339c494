// esbuild's "text" loader turns these files into their contents as a string.
declare module '*.sh' {
  const text: string;
  export default text;
}
