import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../generated';

const Suggestions = graphql(`
  query SearchSuggestions($prefix: String!) {
    searchSuggestions(prefix: $prefix, first: 6) {
      products {
        id
        slug
        name
      }
      categories {
        id
        slug
        name
      }
    }
  }
`);

/** How long typing must pause before suggestions are asked for. */
const debounceMs = 150;

interface Option {
  key: string;
  label: string;
  kind: 'Product' | 'Category';
  to: string;
}

/**
 * SearchBox is the header's search: a combobox that suggests products and
 * categories as the shopper types (only then, never on page load) and opens
 * the results page on Enter.
 */
export function SearchBox() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [text, setText] = useState(params.get('q') ?? '');
  const [prefix, setPrefix] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const listId = useId();

  useEffect(() => {
    const t = setTimeout(() => setPrefix(open ? text.trim() : ''), debounceMs);
    return () => clearTimeout(t);
  }, [text, open]);

  const [{ data }] = useQuery({ query: Suggestions, variables: { prefix }, pause: prefix.length < 2 });
  const s = data?.searchSuggestions;
  const options: Option[] =
    open && prefix.length >= 2 && s
      ? [
          ...s.categories.map((c) => ({ key: c.id, label: c.name, kind: 'Category' as const, to: `/c/${c.slug}` })),
          ...s.products.map((p) => ({ key: p.id, label: p.name, kind: 'Product' as const, to: `/p/${p.slug}` })),
        ]
      : [];

  const go = (to: string) => {
    setOpen(false);
    setActive(-1);
    navigate(to);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' && options.length > 0) {
      e.preventDefault();
      setActive((a) => (a + 1) % options.length);
    } else if (e.key === 'ArrowUp' && options.length > 0) {
      e.preventDefault();
      setActive((a) => (a <= 0 ? options.length - 1 : a - 1));
    } else if (e.key === 'Escape') {
      setOpen(false);
      setActive(-1);
    } else if (e.key === 'Enter' && active >= 0 && options[active]) {
      e.preventDefault();
      go(options[active].to);
    }
  };

  return (
    <form
      role="search"
      className="search"
      onSubmit={(e) => {
        e.preventDefault();
        const q = text.trim();
        if (q) go(`/search?q=${encodeURIComponent(q)}`);
      }}
    >
      <label htmlFor={`${listId}-input`} className="visually-hidden">
        Search
      </label>
      <input
        id={`${listId}-input`}
        type="search"
        role="combobox"
        autoComplete="off"
        placeholder="Search products"
        aria-expanded={options.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={active >= 0 ? `${listId}-${active}` : undefined}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      <ul id={listId} role="listbox" aria-label="Suggestions" className="suggestions" hidden={options.length === 0}>
        {options.map((o, i) => (
          <li
            key={o.key}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            onMouseDown={(e) => {
              e.preventDefault();
              go(o.to);
            }}
          >
            {o.label} <span className="muted">{o.kind}</span>
          </li>
        ))}
      </ul>
    </form>
  );
}
