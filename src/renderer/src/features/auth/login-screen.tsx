/**
 * The browser's sign-in: email and password. Shows why the user is here (a session that ended), a wrong
 * password, and a rate limit with the wait counting down (the button stays disabled until it is over).
 */
import { useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { LogIn } from 'lucide-react';
import { useNow } from '../../lib/use-now';
import { useAppStore } from '../../store';
import { Button } from '../../ui/button';
import { TextField } from '../../ui/field';
import { ThemeSwitch } from '../../shell/theme-switch';
import { signIn } from './actions';

export function LoginScreen() {
  const { signingIn, loginError, retryAt, notice } = useAppStore(
    useShallow((s) => ({
      signingIn: s.auth.signingIn,
      loginError: s.auth.loginError,
      retryAt: s.auth.retryAt,
      notice: s.auth.notice,
    })),
  );
  const serverUrl = useAppStore((s) => s.connection.serverUrl);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const now = useNow(1000, retryAt !== null);
  const waitS = retryAt !== null ? Math.max(0, Math.ceil((retryAt - now) / 1000)) : 0;

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (waitS > 0) return;
    void signIn(email.trim(), password).then((ok) => {
      if (!ok) setPassword('');
    });
  };

  const fields = loginError?.fields ?? {};
  let error: string | null = null;
  if (loginError && waitS > 0) error = `Too many failed sign-ins. Try again in ${waitS} s.`;
  else if (loginError?.status === 401) error = 'Wrong email or password.';
  else if (loginError && loginError.code !== 'rate_limited' && !loginError.fields) error = loginError.message;

  return (
    <main className="login-page">
      <div className="login-theme">
        <ThemeSwitch />
      </div>
      <form
        className="login-card"
        onSubmit={onSubmit}
        noValidate
        aria-labelledby="login-title"
        data-testid="login-form"
      >
        <div className="brand brand-lg">
          <span className="brand-mark" aria-hidden="true" />
          Switchboard
        </div>
        <h1 id="login-title">Sign in to the console</h1>
        <p className="muted">{serverUrl ? <>Server {serverUrl}</> : 'No server to talk to.'}</p>
        {notice && (
          <p className="notice" role="status" data-testid="login-notice">
            {notice}
          </p>
        )}
        <TextField
          label="Email"
          type="email"
          name="email"
          autoComplete="username"
          autoFocus
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={fields.email}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fields.password}
        />
        {error && (
          <p className="form-error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <Button
          type="submit"
          variant="primary"
          busy={signingIn}
          disabled={waitS > 0 || !email || !password}
          icon={<LogIn size={16} aria-hidden="true" />}
          className="btn-block"
        >
          {waitS > 0 ? `Wait ${waitS} s` : 'Sign in'}
        </Button>
      </form>
    </main>
  );
}
