import { usePreferences } from "../preferences";

export function FavouriteButton({ symbol }: { symbol: string }) {
  const favourite = usePreferences((state) => state.favourites.includes(symbol));
  const toggle = usePreferences((state) => state.toggleFavourite);
  return (
    <button
      type="button"
      className={favourite ? "star on" : "star"}
      aria-pressed={favourite}
      aria-label={favourite ? `Remove ${symbol.toUpperCase()} from favourites` : `Add ${symbol.toUpperCase()} to favourites`}
      onClick={() => toggle(symbol)}
    >
      {favourite ? "★" : "☆"}
    </button>
  );
}
