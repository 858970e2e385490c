// Choosing a product's variant from its option pickers (Size, Colour): the
// shopper picks values one option at a time, and the store keeps a variant
// selected throughout, so that price, stock and shipping always refer to
// something that can be put into the cart.

/** The parts of a variant that selection needs. */
export interface VariantChoice {
  id: string;
  selectedOptions: readonly { name: string; value: string }[];
  stockLevel: string;
}

/** Option name to value. */
export type Selection = Record<string, string>;

/** How a value of an option looks in its picker, given the other options chosen. */
export type ValueState = 'available' | 'sold-out' | 'unavailable';

const inStock = (v: VariantChoice) => v.stockLevel !== 'OUT_OF_STOCK';

/** selectionOf gives a variant's options as a selection. */
export function selectionOf(v: VariantChoice): Selection {
  return Object.fromEntries(v.selectedOptions.map((o) => [o.name, o.value]));
}

/** initialVariant is the variant a product page opens with: the one asked for, else the first in stock, else the first. */
export function initialVariant<V extends VariantChoice>(variants: readonly V[], wantedId?: string | null): V | undefined {
  return variants.find((v) => v.id === wantedId) ?? variants.find(inStock) ?? variants[0];
}

function shares(v: VariantChoice, selection: Selection): number {
  return v.selectedOptions.filter((o) => selection[o.name] === o.value).length;
}

/**
 * chooseValue is the variant to select when the shopper picks value for the
 * option name. It keeps the other options as they are when a variant has them
 * all; otherwise it changes as few of them as it can, preferring what is in
 * stock, then the earlier variant.
 */
export function chooseValue<V extends VariantChoice>(
  variants: readonly V[],
  current: Selection,
  name: string,
  value: string,
): V | undefined {
  const wanted = { ...current, [name]: value };
  let best: V | undefined;
  let bestScore = -1;
  for (const v of variants) {
    if (!v.selectedOptions.some((o) => o.name === name && o.value === value)) continue;
    const score = shares(v, wanted) * 2 + (inStock(v) ? 1 : 0);
    if (score > bestScore) {
      best = v;
      bestScore = score;
    }
  }
  return best;
}

/**
 * valueState says whether picking value for name, keeping the other options
 * chosen, gives a variant that can be bought ('available'), one that is sold out,
 * or none at all ('unavailable': picking it would change another option).
 */
export function valueState(variants: readonly VariantChoice[], current: Selection, name: string, value: string): ValueState {
  const wanted = { ...current, [name]: value };
  const match = variants.find((v) => v.selectedOptions.every((o) => wanted[o.name] === o.value));
  if (!match) return 'unavailable';
  return inStock(match) ? 'available' : 'sold-out';
}
