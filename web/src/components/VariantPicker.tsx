import { graphql, readFragment, type FragmentType } from '../generated';
import { chooseValue, selectionOf, valueState } from '../lib/variants';

export const VariantPickerFragment = graphql(`
  fragment VariantPicker_product on Product {
    options {
      name
      values
    }
    variants {
      id
      stockLevel
      selectedOptions {
        name
        value
      }
    }
  }
`);

/**
 * VariantPicker shows a group of buttons per option (Size, Colour) and selects
 * the variant the shopper's picks lead to. Values that would be sold out say
 * so; values no variant has with the other picks are still offered, and
 * picking one changes the other options as little as possible.
 */
export function VariantPicker(props: {
  product: FragmentType<typeof VariantPickerFragment>;
  selectedId: string;
  onSelect: (variantId: string) => void;
}) {
  const p = readFragment(VariantPickerFragment, props.product);
  const selected = p.variants.find((v) => v.id === props.selectedId);
  if (!selected || p.options.length === 0) return null;
  const current = selectionOf(selected);
  return (
    <div className="variant-picker">
      {p.options.map((o) => (
        <fieldset key={o.name}>
          <legend>
            {o.name}: <strong>{current[o.name]}</strong>
          </legend>
          <div className="choices">
            {o.values.map((value) => {
              const state = valueState(p.variants, current, o.name, value);
              const pressed = current[o.name] === value;
              return (
                <button
                  key={value}
                  type="button"
                  aria-pressed={pressed}
                  className={`choice ${state}`}
                  aria-label={state === 'sold-out' ? `${value}, sold out` : value}
                  onClick={() => {
                    const v = chooseValue(p.variants, current, o.name, value);
                    if (v) props.onSelect(v.id);
                  }}
                >
                  {value}
                </button>
              );
            })}
          </div>
        </fieldset>
      ))}
    </div>
  );
}
