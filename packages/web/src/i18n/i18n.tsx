/**
 * The language of the portal: Simplified Chinese by default, English on request — the switch in the
 * header, remembered in localStorage, or `?lang=en` in a shared link. The <html lang> attribute
 * follows, so screen readers pronounce the page in the right language.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { formatDate, formatMoney } from "../lib/format.ts";
import { type Lang, type MessageKey, messages } from "./messages.ts";

const STORAGE_KEY = "shanji.lang";

export type I18n = {
  lang: Lang;
  setLang(lang: Lang): void;
  /** The message in the current language, `{name}` replaced by params.name. */
  t(key: MessageKey, params?: Record<string, string | number>): string;
  money(amount: string | bigint, currency: string): string;
  date(seconds: string | number | bigint, withTime?: boolean): string;
};

const I18nContext = createContext<I18n | undefined>(undefined);

function initialLang(): Lang {
  const fromQuery = new URLSearchParams(window.location.search).get("lang");
  if (fromQuery === "en" || fromQuery === "zh") {
    remember(fromQuery);
    return fromQuery;
  }
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    if (stored === "en" || stored === "zh") return stored;
  } catch {
    // Storage can be disabled (private modes, some in-app browsers): the default then.
  }
  return "zh";
}

function remember(lang: Lang): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered; the switch still works for this page.
  }
}

export function translate(lang: Lang, key: MessageKey, params?: Record<string, string | number>): string {
  const text: string = messages[lang][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = messages[lang]["app.title"];
  }, [lang]);
  const setLang = useCallback((next: Lang) => {
    remember(next);
    setLangState(next);
  }, []);
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang,
      t: (key, params) => translate(lang, key, params),
      money: (amount, currency) => formatMoney(amount, currency, lang),
      date: (seconds, withTime) => formatDate(seconds, lang, withTime),
    }),
    [lang, setLang],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}
