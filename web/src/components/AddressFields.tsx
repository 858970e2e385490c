import type { AddressDraft, AddressField } from '../lib/address';
import { Field, SelectField } from './Field';

/** A country the shop ships to, as shippingRates lists them. */
export interface Country {
  code: string;
  name: string;
}

/**
 * AddressFields are the inputs of a postal address. errors are by field name
 * (name, postalCode, ...); the form that holds them decides where they come from.
 */
export function AddressFields(props: {
  value: AddressDraft;
  onChange: (next: AddressDraft) => void;
  errors: Partial<Record<AddressField, string>>;
  countries: readonly Country[];
}) {
  const { value, errors } = props;
  const set = (f: AddressField) => (v: string) => props.onChange({ ...value, [f]: v });
  const text = (f: AddressField, label: string, autoComplete: string, required = true) => (
    <Field
      label={required ? label : `${label} (optional)`}
      name={f}
      value={value[f]}
      autoComplete={autoComplete}
      required={required}
      error={errors[f]}
      onChange={(e) => set(f)(e.target.value)}
    />
  );
  return (
    <div className="address-fields">
      {text('name', 'Full name', 'shipping name')}
      {text('line1', 'Street address', 'shipping address-line1')}
      {text('line2', 'Flat, suite or floor', 'shipping address-line2', false)}
      {text('city', 'Town or city', 'shipping address-level2')}
      {text('region', 'State, province or county', 'shipping address-level1', false)}
      {text('postalCode', 'Postal code', 'shipping postal-code')}
      <SelectField
        label="Country"
        name="country"
        value={value.country}
        autoComplete="shipping country"
        error={errors.country}
        onChange={set('country')}
        options={[{ value: '', label: 'Choose a country' }, ...props.countries.map((c) => ({ value: c.code, label: c.name }))]}
      />
      {text('phone', 'Phone', 'shipping tel', false)}
    </div>
  );
}
