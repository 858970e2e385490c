// A tiny store for the last query plan, shared by the fetcher (writer) and the
// plan panel (reader) through React's useSyncExternalStore.

export function createPlanStore() {
  let current = null;
  const listeners = new Set();
  return {
    get: () => current,
    set(plan) {
      current = plan;
      for (const l of listeners) l();
    },
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}
