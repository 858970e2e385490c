/** A refusal as the API's payloads give it. */
export interface UserError {
  field?: readonly string[] | null;
  message: string;
}

/** fieldError is the message of the refusal about an input field, such as ["input", "email"]. */
export function fieldError(errors: readonly UserError[], field: string): string | undefined {
  return errors.find((e) => e.field?.[e.field.length - 1] === field)?.message;
}

/** FormErrors lists refusals that are about no single field. */
export function FormErrors({ errors, fields }: { errors: readonly UserError[]; fields: readonly string[] }) {
  const general = errors.filter((e) => !e.field || !fields.includes(e.field[e.field.length - 1]));
  if (general.length === 0) return null;
  return (
    <div role="alert" className="error">
      {general.map((e) => (
        <p key={e.message}>{e.message}</p>
      ))}
    </div>
  );
}
