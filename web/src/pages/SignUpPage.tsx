import { useId, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation } from 'urql';
import { useStartSession } from '../auth/useSignIn';
import { fieldError, FormErrors, type UserError } from '../components/FormErrors';
import { useTitle } from '../components/Status';
import { graphql } from '../generated';

const SignUp = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
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

const fields = ['name', 'email', 'password'] as const;

/** SignUpPage creates an account and signs it in; refusals appear next to their field. */
export function SignUpPage() {
  useTitle('Sign up');
  const [{ fetching }, signUp] = useMutation(SignUp);
  const startSession = useStartSession();
  const navigate = useNavigate();
  const id = useId();
  const [errors, setErrors] = useState<readonly UserError[]>([]);

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const input = { name: String(form.get('name')), email: String(form.get('email')), password: String(form.get('password')) };
    const payload = (await signUp({ input })).data?.signUp;
    if (payload?.tokens) {
      await startSession(payload.tokens);
      navigate('/', { replace: true });
      return;
    }
    setErrors(payload?.userErrors ?? [{ message: 'We could not create your account just now. Please try again.' }]);
  };

  const field = (name: (typeof fields)[number], label: string, type: string, autoComplete: string, hint?: string) => {
    const error = fieldError(errors, name);
    const described = [hint && `${id}-${name}-hint`, error && `${id}-${name}-error`].filter(Boolean).join(' ');
    return (
      <div className="field">
        <label htmlFor={`${id}-${name}`}>{label}</label>
        <input
          id={`${id}-${name}`}
          name={name}
          type={type}
          autoComplete={autoComplete}
          required
          aria-invalid={error ? true : undefined}
          aria-describedby={described || undefined}
        />
        {hint && (
          <span id={`${id}-${name}-hint`} className="hint">
            {hint}
          </span>
        )}
        {error && (
          <span id={`${id}-${name}-error`} className="field-error">
            {error}
          </span>
        )}
      </div>
    );
  };

  return (
    <section className="auth" aria-labelledby="signup-heading">
      <h1 id="signup-heading">Create an account</h1>
      <form onSubmit={onSubmit} noValidate>
        <FormErrors errors={errors} fields={fields} />
        {field('name', 'Name', 'text', 'name')}
        {field('email', 'Email', 'email', 'email')}
        {field('password', 'Password', 'password', 'new-password', 'At least 10 characters, not a common password.')}
        <button type="submit" className="primary" disabled={fetching}>
          Sign up
        </button>
      </form>
      <p>
        Have an account? <Link to="/signin">Sign in</Link>
      </p>
    </section>
  );
}
