import { useEffect, useState, type FormEvent } from "react";
import { useLocation, useSearch } from "wouter";
import { ApiError } from "../api";
import { useAuth } from "../auth";

function safeNext(raw: string | null): string {
  // Only paths of this app: never an absolute URL or protocol-relative path (open redirect).
  if (raw && raw.startsWith("/app/") && !raw.startsWith("//")) return raw.slice("/app".length);
  return "/datasets";
}

export function LoginPage() {
  const { signIn, session } = useAuth();
  const [, navigate] = useLocation();
  const search = useSearch();
  const next = safeNext(new URLSearchParams(search).get("next"));
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [apiKey, setApiKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = "Sign in · labelhouse";
  }, []);
  useEffect(() => {
    if (session) navigate(next, { replace: true });
  }, [session, next, navigate]);

  async function submit(body: { username: string; password: string } | { api_key: string }) {
    setBusy(true);
    setError(null);
    try {
      await signIn(body);
    } catch (e) {
      setError(e instanceof ApiError ? e.detail : "Sign-in failed.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login" id="main">
      <h1>Sign in to labelhouse</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          submit({ username, password });
        }}
      >
        <label>
          Username
          <input name="username" autoComplete="username" value={username} required
            onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" value={password} required
            onChange={(e) => setPassword(e.target.value)} />
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <form
        className="apikey"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          submit({ api_key: apiKey.trim() });
        }}
      >
        <label>
          API key
          <input name="api_key" type="text" autoComplete="off" spellCheck={false} value={apiKey} required
            onChange={(e) => setApiKey(e.target.value)} />
        </label>
        <button type="submit" disabled={busy}>
          Sign in with API key
        </button>
      </form>
    </main>
  );
}
