/**
 * What every declared vocabulary (carriers, portals) derives from its catalogue, written once:
 * the codes in declaration order, a guard, the declaration of a code and display names.
 */
export interface Declaration {
  code: string;
  /** Display name (ヤマト運輸, ふるさとチョイス). */
  name: string;
}

export interface DerivedFromCatalogue<D extends Declaration, C extends string> {
  /** Every code, in declaration order. */
  codes: readonly C[];
  is(value: string): value is C;
  declaration(code: C): D;
  /** Display name of a code; anything else (an unknown code, a name already) is returned as given. */
  name(codeOrName: string): string;
  /** Display names by code. */
  names: Readonly<Record<C, string>>;
}

export function deriveFromCatalogue<D extends Declaration, C extends string>(catalogue: readonly (D & { code: C })[]): DerivedFromCatalogue<D, C> {
  const codes = catalogue.map((d) => d.code);
  const byCode: ReadonlyMap<string, D> = new Map(catalogue.map((d) => [d.code, d]));
  return {
    codes,
    is: (value: string): value is C => (codes as readonly string[]).includes(value),
    declaration: (code) => byCode.get(code)!,
    name: (codeOrName) => byCode.get(codeOrName)?.name ?? codeOrName,
    names: Object.fromEntries(catalogue.map((d) => [d.code, d.name])) as Record<C, string>,
  };
}

/**
 * A vocabulary whose codes carry only a title (the documents in an envelope, the catalogue's items,
 * the kinds of handler or of data passed on): declared once as code → title, in order; the code list
 * derives from it instead of naming every code a second time.
 */
export function titledCodes<const T extends Record<string, string>>(titles: T): { codes: readonly (keyof T & string)[]; titles: Readonly<Record<keyof T & string, string>> } {
  return { codes: Object.keys(titles) as (keyof T & string)[], titles };
}
