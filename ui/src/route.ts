import { useCallback, useState, useSyncExternalStore } from "react";

export type Route = { page: "board" } | { page: "coin"; symbol: string };

export function parseRoute(pathname: string): Route {
  const match = /^\/coin\/([a-z0-9]{1,20})\/?$/.exec(pathname);
  return match ? { page: "coin", symbol: match[1]! } : { page: "board" };
}

const NAVIGATED = "cryptostream:navigate";

/** Goes to a path inside the app without reloading the page. */
export function navigate(path: string): void {
  window.history.pushState(null, "", path);
  window.dispatchEvent(new Event(NAVIGATED));
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("popstate", onChange);
  window.addEventListener(NAVIGATED, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(NAVIGATED, onChange);
  };
}

export function useRoute(): Route {
  const pathname = useSyncExternalStore(subscribe, () => window.location.pathname);
  return parseRoute(pathname);
}

/** Props for an `<a>` that navigates inside the app, and still opens in a new tab with a modifier key. */
export function linkTo(path: string) {
  return {
    href: path,
    onClick: (event: { preventDefault(): void; metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; button: number }) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
      event.preventDefault();
      navigate(path);
    },
  };
}

/** A page's view kept in the URL's query (replaced, not pushed, as it changes): `parse` reads it, `format` writes it. */
export function useSearchView<T>(parse: (search: string) => T, format: (view: T) => string): [T, (view: T) => void] {
  const [view, setView] = useState(() => parse(window.location.search));
  const update = useCallback(
    (next: T) => {
      setView(next);
      window.history.replaceState(null, "", `${window.location.pathname}${format(next)}`);
    },
    [format],
  );
  return [view, update];
}
