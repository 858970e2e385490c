import { useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { useMutation } from 'urql';
import { useStartSession } from '../auth/useSignIn';
import { FormErrors, type UserError } from '../components/FormErrors';
import { useTitle } from '../components/Status';
import { graphql } from '../generated';

const SignIn = graphql(`
  mutation SignIn($input: SignInInput!) {
    signIn(input: $input) {
      tokens {
        ...SessionTokens
      }
      userErrors {
        code
        field
        message
      }
      retryAfterSeconds
    }
  }
`);

/** SignInPage signs a shopper in with email and password, then goes back where they came from. */
export function SignInPage() {
  useTitle('Sign in');
  const [{ fetching }, signIn] = useMutation(SignIn);
  const startSession = useStartSession();
  const navigate = useNavigate();
  const from = (useLocation().state as { from?: string } | null)?.from ?? '/';
  const [errors, setErrors] = useState<readonly UserError[]>([]);

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const res = await signIn({ input: { email: String(form.get('email')), password: String(form.get('password')) } });
    const payload = res.data?.signIn;
    if (payload?.tokens) {
      await startSession(payload.tokens);
      navigate(from, { replace: true });
      return;
    }
    setErrors(payload?.userErrors ?? [{ message: 'We could not sign you in just now. Please try again.' }]);
  };

  return (
    <section className="auth" aria-labelledby="signin-heading">
      <h1 id="signin-heading">Sign in</h1>
      <form onSubmit={onSubmit} noValidate>
        <FormErrors errors={errors} fields={[]} />
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <button type="submit" className="primary" disabled={fetching}>
          Sign in
        </button>
      </form>
      <p>
        New here? <Link to="/signup">Create an account</Link>
      </p>
    </section>
  );
}
