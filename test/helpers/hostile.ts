/** Strings a hostile capture carries in every field that reports show (the one definition). */
export const HOSTILE = {
  function: `<img src=x onerror="window.__pwned=1">fn</script>`,
  filename: `"><script>window.__pwned=2</script>.py`,
  thread: `<svg onload=window.__pwned=3>`,
  commandLine: `python run.py '<script>window.__pwned=4</script>' && echo "&amp;"`,
};
