import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { graphql, readFragment, type FragmentType } from '../generated';
import { validateEmail } from '../lib/address';
import { placeErrors, withPrefix } from '../lib/userErrors';
import { Field } from './Field';
import { FormErrors, type UserError } from './FormErrors';

export const ProfileFragment = graphql(`
  fragment Profile_user on User {
    id
    name
    email
  }
`);

const UpdateProfile = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) {
      user {
        id
        ...Profile_user
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const fields = withPrefix('input', ['name', 'email', 'currentPassword']);

/** ProfileForm changes the shopper's name and email; a new email needs the current password. */
export function ProfileForm(props: { user: FragmentType<typeof ProfileFragment> }) {
  const user = readFragment(ProfileFragment, props.user);
  const [name, setName] = useState(user.name);
  const [email, setEmail] = useState(user.email ?? '');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const [saved, setSaved] = useState(false);
  const [{ fetching }, update] = useMutation(UpdateProfile);
  const emailChanged = email.trim() !== (user.email ?? '');

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setSaved(false);
    const problems: UserError[] = [];
    if (name.trim() === '') problems.push({ field: ['input', 'name'], message: 'Enter your name.' });
    const emailProblem = emailChanged ? validateEmail(email) : undefined;
    if (emailProblem) problems.push({ field: ['input', 'email'], message: emailProblem });
    if (emailChanged && password === '') {
      problems.push({ field: ['input', 'currentPassword'], message: 'Enter your current password to change your email.' });
    }
    if (problems.length > 0) {
      setErrors(problems);
      return;
    }
    const input = emailChanged ? { name: name.trim(), email: email.trim(), currentPassword: password } : { name: name.trim() };
    const res = await update({ input });
    const payload = res.data?.updateProfile;
    if (payload?.user) {
      setErrors([]);
      setPassword('');
      setSaved(true);
      return;
    }
    setErrors(payload?.userErrors ?? [{ message: 'We could not save your details just now. Please try again.' }]);
  };

  const placed = placeErrors(errors, fields);
  return (
    <form onSubmit={onSubmit} noValidate className="stack" aria-labelledby="profile-heading">
      <h2 id="profile-heading">Your details</h2>
      <FormErrors errors={placed.general} fields={[]} />
      <Field label="Name" name="name" autoComplete="name" required value={name} error={placed.byField['input.name']} onChange={(e) => setName(e.target.value)} />
      <Field
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        required
        value={email}
        error={placed.byField['input.email']}
        onChange={(e) => setEmail(e.target.value)}
      />
      {emailChanged && (
        <Field
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          hint="Needed to change your email."
          error={placed.byField['input.currentPassword']}
          onChange={(e) => setPassword(e.target.value)}
        />
      )}
      <button type="submit" className="primary" disabled={fetching}>
        Save details
      </button>
      <p role="status" className="status">
        {saved ? 'Your details are saved.' : ''}
      </p>
    </form>
  );
}
