import { create } from "zustand";
import { persist } from "zustand/middleware";

export type Layout = "cards" | "table";

export interface Preferences {
  favourites: string[];
  layout: Layout;
  toggleFavourite(symbol: string): void;
  setLayout(layout: Layout): void;
}

/** What the user chose, kept in localStorage across visits. */
export const usePreferences = create<Preferences>()(
  persist(
    (set) => ({
      favourites: [],
      layout: "cards",
      toggleFavourite: (symbol) =>
        set((state) => ({
          favourites: state.favourites.includes(symbol) ? state.favourites.filter((s) => s !== symbol) : [...state.favourites, symbol],
        })),
      setLayout: (layout) => set({ layout }),
    }),
    { name: "cryptostream.preferences" },
  ),
);
