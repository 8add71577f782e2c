/**
 * The panels page. Static: the script fills in the panels after sign-in, so no audit data
 * is ever rendered into HTML on the server. Asset paths are relative, so the page also works
 * behind a proxy that mounts the daemon under a path prefix.
 */
export const PANEL_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Kora audit panels</title>
<link rel="icon" href="assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="assets/chart.css">
<link rel="stylesheet" href="assets/panels.css">
<script src="assets/panels.js" defer></script>
</head>
<body>
<header class="top">
  <h1>Kora audit panels</h1>
  <p id="connection" class="connection" role="status" aria-live="polite" data-state="signed-out">Signed out</p>
  <button id="logout" type="button" hidden>Sign out</button>
</header>
<main>
  <section id="login" class="login" aria-labelledby="login-title" hidden>
    <h2 id="login-title">Sign in</h2>
    <form id="login-form">
      <label for="token">Operator token</label>
      <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required>
      <button type="submit">Sign in</button>
      <p id="login-error" class="error" role="alert"></p>
    </form>
    <p class="hint">The token is <code>KORA_OPERATOR_TOKEN</code> of this daemon. Signing in sets an HttpOnly session cookie; the token itself is not stored in the browser.</p>
  </section>
  <p id="page-error" class="error" role="alert" hidden></p>
  <div id="panels"></div>
</main>
<noscript><p>This page needs JavaScript. The same data is at <code>/api/panels/&lt;panel&gt;</code> with an <code>Authorization: Bearer</code> header.</p></noscript>
</body>
</html>
`;

/** A small icon, so browsers do not log a 404 for `/favicon.ico` on every visit. */
export const PANEL_PAGE_FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f4e79"/><path d="M4 4h2v3.2L9.2 4H12L8.4 7.6 12 12H9.3L6 8v4H4z" fill="#fff"/></svg>
`;
