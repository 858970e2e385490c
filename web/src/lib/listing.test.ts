import { describe, expect, it } from 'vitest';
import {
  listingFilter,
  listingPage,
  listingParams,
  pageSize,
  parseListing,
  toggleOption,
  withInStock,
  withPage,
  withPrice,
  withSort,
} from './listing';

const parse = (q: string) => parseListing(new URLSearchParams(q));

describe('parseListing', () => {
  it('reads every part of the state', () => {
    expect(parse('sort=PRICE_ASC&price=25.00-50.00&inStock=1&opt=Size:M&opt=Colour:Navy&opt=Size:L&after=abc')).toEqual({
      sort: 'PRICE_ASC',
      minPrice: '25.00',
      maxPrice: '50.00',
      inStock: true,
      options: { Size: ['L', 'M'], Colour: ['Navy'] },
      after: 'abc',
    });
  });

  it('reads an open-ended price band', () => {
    expect(parse('price=200.00-')).toMatchObject({ minPrice: '200.00' });
    expect(parse('price=200.00-').maxPrice).toBeUndefined();
  });

  it('ignores what it does not understand', () => {
    expect(parse('sort=CHEAPEST&price=abc-1&price2=1&opt=nocolon&opt=:x&opt=Size:&inStock=yes')).toEqual({
      inStock: false,
      options: {},
    });
  });

  it('keeps a colon inside an option value', () => {
    expect(parse('opt=Ratio:16:9').options).toEqual({ Ratio: ['16:9'] });
  });

  it('prefers after when a URL has both cursors', () => {
    const s = parse('after=a&before=b');
    expect(s.after).toBe('a');
    expect(s.before).toBeUndefined();
  });
});

describe('listingParams', () => {
  it('writes a state that parses back to itself', () => {
    const q = 'sort=RATING&price=0.00-25.00&inStock=1&opt=Colour:Navy&opt=Size:L&opt=Size:M&before=xyz';
    const state = parse(q);
    expect(listingParams(state).toString()).toBe(q.replaceAll(':', '%3A'));
    expect(parseListing(listingParams(state))).toEqual(state);
  });

  it('gives equal URLs for equal states whatever the order of choosing', () => {
    const a = toggleOption(toggleOption(parse(''), 'Size', 'M'), 'Colour', 'Navy');
    const b = toggleOption(toggleOption(parse(''), 'Colour', 'Navy'), 'Size', 'M');
    expect(listingParams(a).toString()).toBe(listingParams(b).toString());
  });

  it('keeps parameters that are not the listing’s, such as the search', () => {
    const p = listingParams(withSort(parse(''), 'PRICE_DESC'), new URLSearchParams('q=wool&sort=NEWEST&after=c'));
    expect(p.toString()).toBe('q=wool&sort=PRICE_DESC');
  });
});

describe('changes', () => {
  const paged = parse('opt=Size:M&after=cursor');

  it('toggles an option value on and off, dropping an empty option', () => {
    const on = toggleOption(paged, 'Size', 'L');
    expect(on.options).toEqual({ Size: ['L', 'M'] });
    const off = toggleOption(toggleOption(on, 'Size', 'L'), 'Size', 'M');
    expect(off.options).toEqual({});
  });

  it('goes back to the first page on every change of filter or order', () => {
    for (const s of [
      toggleOption(paged, 'Size', 'L'),
      withPrice(paged, '25.00', '50.00'),
      withSort(paged, 'NEWEST'),
      withInStock(paged, true),
    ]) {
      expect(s.after).toBeUndefined();
      expect(s.before).toBeUndefined();
    }
  });

  it('sets and clears a price band', () => {
    const band = withPrice(paged, '200.00');
    expect(band).toMatchObject({ minPrice: '200.00' });
    expect(band.maxPrice).toBeUndefined();
    const cleared = withPrice(withPrice(paged, '25.00', '50.00'));
    expect(cleared.minPrice).toBeUndefined();
    expect(cleared.maxPrice).toBeUndefined();
  });

  it('moves between pages, one cursor at a time', () => {
    const back = withPage(paged, { before: 'b' });
    expect(back.before).toBe('b');
    expect(back.after).toBeUndefined();
  });
});

describe('listingFilter and listingPage', () => {
  it('builds the API filter with the listing’s scope', () => {
    expect(listingFilter(parse('price=25.00-50.00&inStock=1&opt=Size:M&opt=Colour:Navy'), { categoryId: 'c1' })).toEqual({
      categoryId: 'c1',
      minPrice: '25.00',
      maxPrice: '50.00',
      inStock: true,
      options: [
        { name: 'Colour', values: ['Navy'] },
        { name: 'Size', values: ['M'] },
      ],
    });
  });

  it('leaves out what the shopper did not choose', () => {
    expect(listingFilter(parse(''), { search: 'wool' })).toEqual({ search: 'wool' });
  });

  it('pages forward from after and back from before', () => {
    expect(listingPage(parse(''))).toEqual({ first: pageSize });
    expect(listingPage(parse('after=a'))).toEqual({ first: pageSize, after: 'a' });
    expect(listingPage(parse('before=b'))).toEqual({ last: pageSize, before: 'b' });
  });
});
