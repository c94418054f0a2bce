import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { api, ApiError, setCsrfToken, setSignedOutHandler } from "./api";

export interface SessionInfo {
  username: string;
  csrf_token: string;
}

interface AuthState {
  session: SessionInfo | null;
  loading: boolean;
  signIn(body: { username: string; password: string } | { api_key: string }): Promise<void>;
  signOut(): Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [loading, setLoading] = useState(true);

  const adopt = useCallback((s: SessionInfo | null) => {
    setCsrfToken(s?.csrf_token ?? null);
    setSession(s);
  }, []);

  useEffect(() => {
    setSignedOutHandler(() => adopt(null));
    api<SessionInfo>("GET", "/auth/session", undefined, { quiet401: true })
      .then(adopt)
      .catch((e) => {
        if (!(e instanceof ApiError) || e.status !== 401) console.error(e);
        adopt(null);
      })
      .finally(() => setLoading(false));
    return () => setSignedOutHandler(null);
  }, [adopt]);

  const signIn = useCallback(
    async (body: { username: string; password: string } | { api_key: string }) => {
      const s = await api<SessionInfo>("POST", "/auth/login", body, { quiet401: true });
      adopt(s);
    },
    [adopt],
  );

  const signOut = useCallback(async () => {
    try {
      await api("POST", "/auth/logout");
    } finally {
      adopt(null);
    }
  }, [adopt]);

  return <AuthContext.Provider value={{ session, loading, signIn, signOut }}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error("useAuth outside AuthProvider");
  return ctx;
}
