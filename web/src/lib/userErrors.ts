// Placing a payload's refusals on a form. The API names the input at fault by
// its path (["shippingAddress", "postalCode"], ["input", "email"]); a form
// knows which paths it shows a field for. A refusal goes next to the field of
// its path, or of the nearest enclosing path the form shows (["payment"] for a
// declined card goes to the card as a whole), and otherwise to the top.

/** A refusal as the API's payloads give it. */
export interface FieldError {
  field?: readonly string[] | null;
  message: string;
}

/** Where a form shows its refusals: messages by field key, and the rest. */
export interface PlacedErrors<E extends FieldError> {
  byField: Record<string, string>;
  general: E[];
}

/** fieldKey is a path as the forms name fields: its parts joined with dots. */
function fieldKey(path: readonly string[]): string {
  return path.join('.');
}

/**
 * placeErrors sorts refusals by the field each belongs next to. fields are
 * the keys the form shows; aliases send a path's key to another field's (the
 * API's expMonth and expYear to one expiry field). The first refusal about a
 * field wins; later ones about the same field go to the top.
 */
export function placeErrors<E extends FieldError>(
  errors: readonly E[],
  fields: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): PlacedErrors<E> {
  const shown = new Set(fields);
  const byField: Record<string, string> = {};
  const general: E[] = [];
  for (const e of errors) {
    const key = e.field ? nearestField(e.field, shown, aliases) : undefined;
    if (key !== undefined && byField[key] === undefined) byField[key] = e.message;
    else general.push(e);
  }
  return { byField, general };
}

function nearestField(path: readonly string[], shown: Set<string>, aliases: Readonly<Record<string, string>>) {
  for (let n = path.length; n > 0; n--) {
    const key = fieldKey(path.slice(0, n));
    const target = aliases[key] ?? key;
    if (shown.has(target)) return target;
  }
  return undefined;
}

/** withPrefix names a form's own fields under the input that holds them: ("input", ["name"]) -> ["input.name"]. */
export function withPrefix(prefix: string, fields: readonly string[]): string[] {
  return fields.map((f) => `${prefix}.${f}`);
}

/** under picks the refusals of one input out of refusals by field key, by their own names: ("shippingAddress", {"shippingAddress.city": m}) -> {city: m}. */
export function under(byField: Readonly<Record<string, string>>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, message] of Object.entries(byField)) {
    if (key.startsWith(`${prefix}.`)) out[key.slice(prefix.length + 1)] = message;
  }
  return out;
}
