import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { graphql, readFragment, type FragmentType } from '../generated';
import { addressDraft, addressFields, addressInput, emptyAddress, validateAddress, type AddressDraft } from '../lib/address';
import { placeErrors, under, withPrefix } from '../lib/userErrors';
import { AddressCard, AddressCardFragment } from './AddressCard';
import { AddressFields, type Country } from './AddressFields';
import { FormErrors, type UserError } from './FormErrors';

export const AddressBookFragment = graphql(`
  fragment AddressBook_user on User {
    id
    addresses {
      id
      isDefaultShipping
      ...AddressCard_address
    }
  }
`);

const AddAddress = graphql(`
  mutation AddAddress($input: AddressInput!) {
    addAddress(input: $input) {
      address {
        id
        ...AddressCard_address
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const UpdateAddress = graphql(`
  mutation UpdateAddress($id: ID!, $input: AddressUpdateInput!) {
    updateAddress(id: $id, input: $input) {
      address {
        id
        ...AddressCard_address
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const DeleteAddress = graphql(`
  mutation DeleteAddress($id: ID!) {
    deleteAddress(id: $id) {
      deletedAddressId
      userErrors {
        code
        message
      }
    }
  }
`);

const SetDefaultAddress = graphql(`
  mutation SetDefaultAddress($id: ID!) {
    setDefaultAddress(id: $id) {
      address {
        id
        isDefaultShipping
      }
      userErrors {
        code
        message
      }
    }
  }
`);

const formFields = withPrefix('input', addressFields);

/** AddressBook lists the shopper's saved addresses and adds, edits, deletes and picks the default one. */
export function AddressBook(props: { user: FragmentType<typeof AddressBookFragment>; countries: readonly Country[] }) {
  const user = readFragment(AddressBookFragment, props.user);
  const addresses = user.addresses ?? [];
  const [editing, setEditing] = useState<string | null>(null);
  const [, addAddress] = useMutation(AddAddress);
  const [, updateAddress] = useMutation(UpdateAddress);
  const [del, deleteAddress] = useMutation(DeleteAddress);
  const [def, setDefault] = useMutation(SetDefaultAddress);
  const refusal =
    del.data?.deleteAddress.userErrors[0]?.message ??
    def.data?.setDefaultAddress.userErrors[0]?.message ??
    (del.error || def.error ? 'We could not change your address book just now. Please try again.' : undefined);

  return (
    <section aria-labelledby="addresses-heading" className="address-book">
      <h2 id="addresses-heading">Address book</h2>
      {refusal && (
        <p role="alert" className="error">
          {refusal}
        </p>
      )}
      {addresses.length === 0 && editing !== 'new' && <p className="empty">You have no saved addresses yet.</p>}
      <ul className="plain" aria-label="Saved addresses">
        {addresses.map((masked) => {
          const a = readFragment(AddressCardFragment, masked);
          const label = `${a.name}, ${a.line1}`;
          return (
            <li key={a.id} className="saved-address">
              {editing === a.id ? (
                <AddressForm
                  title={`Edit ${label}`}
                  initial={addressDraft(a)}
                  countries={props.countries}
                  submitLabel="Save address"
                  onCancel={() => setEditing(null)}
                  onSubmit={async (d) => {
                    // An empty optional field is sent as "" so that the API clears it.
                    const input = { ...addressInput(d), line2: d.line2.trim(), region: d.region.trim(), phone: d.phone.trim() };
                    const res = await updateAddress({ id: a.id, input });
                    return payloadErrors(res.data?.updateAddress, res.error !== undefined, () => setEditing(null));
                  }}
                />
              ) : (
                <>
                  <AddressCard address={masked} />
                  <div className="row-actions">
                    <button type="button" className="link-button" aria-label={`Edit ${label}`} onClick={() => setEditing(a.id)}>
                      Edit
                    </button>
                    {!a.isDefaultShipping && (
                      <button
                        type="button"
                        className="link-button"
                        aria-label={`Make ${label} the default`}
                        disabled={def.fetching}
                        onClick={() => setDefault({ id: a.id })}
                      >
                        Make default
                      </button>
                    )}
                    <button
                      type="button"
                      className="link-button"
                      aria-label={`Delete ${label}`}
                      disabled={del.fetching}
                      onClick={() => deleteAddress({ id: a.id })}
                    >
                      Delete
                    </button>
                  </div>
                </>
              )}
            </li>
          );
        })}
      </ul>
      {editing === 'new' ? (
        <AddressForm
          title="New address"
          initial={emptyAddress}
          countries={props.countries}
          submitLabel="Save new address"
          onCancel={() => setEditing(null)}
          onSubmit={async (d) => {
            const res = await addAddress({ input: addressInput(d) });
            return payloadErrors(res.data?.addAddress, res.error !== undefined, () => setEditing(null));
          }}
        />
      ) : (
        <button type="button" className="secondary" onClick={() => setEditing('new')}>
          Add an address
        </button>
      )}
    </section>
  );
}

/** payloadErrors is what an address mutation's answer means for its form: nothing to show (and done), or refusals. */
function payloadErrors(
  payload: { address?: unknown; userErrors: readonly UserError[] } | undefined,
  failed: boolean,
  done: () => void,
): readonly UserError[] {
  if (payload?.address) {
    done();
    return [];
  }
  if (payload && payload.userErrors.length > 0) return payload.userErrors;
  return [{ message: failed ? 'We could not save the address just now. Please try again.' : 'The address was not saved.' }];
}

/** AddressForm checks an address, sends it, and shows the refusals next to their fields. */
function AddressForm(props: {
  title: string;
  initial: AddressDraft;
  countries: readonly Country[];
  submitLabel: string;
  onCancel: () => void;
  onSubmit: (d: AddressDraft) => Promise<readonly UserError[]>;
}) {
  const [draft, setDraft] = useState(props.initial);
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const [busy, setBusy] = useState(false);
  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const problems = Object.entries(validateAddress(draft)).map(([f, message]) => ({ field: ['input', f], message }));
    if (problems.length > 0) {
      setErrors(problems);
      return;
    }
    setBusy(true);
    setErrors(await props.onSubmit(draft));
    setBusy(false);
  };
  const placed = placeErrors(errors, formFields);
  return (
    <form onSubmit={onSubmit} noValidate className="stack" aria-label={props.title}>
      <FormErrors errors={placed.general} fields={[]} />
      <AddressFields value={draft} onChange={setDraft} errors={under(placed.byField, 'input')} countries={props.countries} />
      <div className="row-actions">
        <button type="submit" className="primary" disabled={busy}>
          {props.submitLabel}
        </button>
        <button type="button" className="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
